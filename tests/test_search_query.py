"""The query parser and German analysis: any input is a query, never a syntax error."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from mediaarchive.search import parse_query
from mediaarchive.search.fts5_match import match_expression
from mediaarchive.search.german import STOPWORDS, analyse, fold, stem
from mediaarchive.search.query import Term
from mediaarchive.services.search import search
from tests.fixtures.search import (
    DATABASES,
    SearchArchive,
    _database,
    add_asset,
    build_search_archive,
)

SYNTAX = [
    '"',
    "*",
    "-",
    "(",
    ")",
    "AND",
    "OR",
    "NOT",
    "NEAR(",
    ":",
    "^",
    "{",
    "}",
    "'",
    ";",
    "--",
    "/*",
    "\\",
    "\x00",
    "ä",
    "ß",
    "ẞ",
    "é",
    "\u0308",
    "Labor",
    " ",
    "\t",
]

queries = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(SYNTAX), max_size=12).map("".join),
    st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=6)), max_size=10).map(" ".join),
)


def test_folding_writes_umlauts_and_eszett_one_way() -> None:
    assert fold("Universität") == fold("Universitaet") == fold("Universitat") == "universitat"
    assert fold("Straße") == fold("Strasse") == fold("STRASSE") == "strasse"
    assert fold("Gespra\u0308che") == fold("Gespräche")
    assert stem(fold("Prototypen")) == stem(fold("Prototyp"))
    assert stem(fold("Laboren")) == stem(fold("Labor"))
    assert stem(fold("Gespräche")) == stem(fold("Gespräch"))


def test_analysis_keeps_words_and_stems_aligned_for_phrases() -> None:
    analysed = analyse("Lebenszyklen von Innovationslaboren, E-Government!")
    assert analysed.exact.split() == [
        "lebenszyklen",
        "von",
        "innovationslaboren",
        "e",
        "government",
    ]
    assert len(analysed.stems.split()) == len(analysed.exact.split())
    assert {"innovation", "labor", "zykl"} <= set(analysed.parts.split())


def test_operators_and_terms() -> None:
    parsed = parse_query('Labor "Stadt der Zukunft" innov* OR Verwaltung -Kosten NOT Geld')
    assert [[t.words for t in clause] for clause in parsed.clauses] == [
        [("labor",)],
        [("stadt", "der", "zukunft")],
        [("innov",), ("verwaltung",)],
    ]
    assert parsed.clauses[2][0].prefix
    assert [t.words for t in parsed.excluded] == [("kosten",), ("geld",)]
    assert parse_query('"unbalanced Labor').clauses == parse_query("unbalanced Labor").clauses
    assert parse_query("* - AND OR NOT").empty


def test_stop_word_clauses_are_matched_but_not_ranked() -> None:
    parsed = parse_query('die Stadt OR der "die die" -und Fest')
    assert [t.common for t in parsed.terms] == [True, False, True, True, False]
    ranked = parsed.ranked()
    # "Stadt OR der" still ranks by "Stadt"; only clauses of nothing but stop words go.
    assert [[t.words for t in clause] for clause in ranked.clauses] == [
        [("stadt",), ("der",)],
        [("fest",)],
    ]
    assert [t.words for t in ranked.excluded] == [("und",)]
    assert parse_query("die der*").ranked().clauses == [[Term(("der",), prefix=True)]]
    assert parse_query('die "es die"').ranked().empty


@pytest.fixture(scope="module")
def query_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchArchive]:
    """The German fixture archive on SQLite, its schema made by the real migrations."""
    built = build_search_archive(tmp_path_factory.mktemp("query") / "home")
    yield built
    built.archive.close()


@pytest.fixture(scope="module", params=DATABASES)
def word_archive(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchArchive]:
    """The German fixture archive on each database, for tests that add talks to it."""
    db, server = _database(request)
    built = build_search_archive(tmp_path_factory.mktemp("words") / "home", db)
    yield built
    built.archive.close()
    if server is not None and db is not None:
        server.drop_database(db)  # type: ignore[attr-defined]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(queries)
def test_any_string_gives_a_valid_fts5_expression(query_archive, query: str) -> None:
    parsed = parse_query(query)
    expression = match_expression(parsed)
    assert (expression is None) == parsed.empty, (query, expression)
    if expression is None:
        return
    with query_archive.archive.session() as session:
        # The index table as migration 0005 made it: a syntax error here would raise.
        rows = session.execute(
            text("SELECT rowid FROM search_fts WHERE search_fts MATCH :e"), {"e": expression}
        ).all()
        documents = set(session.scalars(text("SELECT rowid FROM search_docs")).all())
    assert {row[0] for row in rows} <= documents


#: Characters that are syntax around a word but neither a word nor an exclusion themselves.
PUNCTUATION = ['"', "*", "(", ")", ":", "^", "{", "}", "'", ";", "\\", "\x00", " ", "\t", "/"]
surrounding = st.lists(st.sampled_from(PUNCTUATION), max_size=4).map("".join)
words = st.from_regex(r"[a-zA-Zäöüß]{3,12}", fullmatch=True).filter(
    lambda word: fold(word) not in STOPWORDS and fold(word) not in {"and", "or", "not", "near"}
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(word=words, before=surrounding, after=surrounding)
def test_a_word_in_any_syntax_finds_the_talk_that_says_it(
    word_archive, word: str, before: str, after: str
) -> None:
    with word_archive.archive.session() as session:
        asset = add_asset(
            session,
            f"said-{word}-{uuid.uuid4().hex}",
            title="Zufallswort",
            segments=[f"Heute sagen wir {word} und gehen."],
        )
        short_id = asset.short_id
    result = search(word_archive.archive, f"{before}{word}{after}", limit=100)
    assert short_id in {hit.asset_id for hit in result}, (before, word, after)
    assert all(hit.snippet for hit in result)
