"""The query parser and German analysis: any input is a query, never a syntax error."""

from __future__ import annotations

import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediaarchive.search import parse_query
from mediaarchive.search.german import analyse, fold, stem
from mediaarchive.search.sqlite import match_expression
from mediaarchive.services.search import search

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
    assert "robalsnoitavonni" in analysed.parts.split()


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


@settings(max_examples=300, deadline=None)
@given(queries)
def test_any_string_gives_a_valid_fts5_expression(query: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(t_exact, t_stem, t_part, b_exact,"
        " b_stem, b_part, facets, content='', tokenize='ascii')"
    )
    db.execute(
        "INSERT INTO search_fts (rowid, b_exact, b_stem, b_part) VALUES "
        "(1, 'labor stadt', 'labor stadt', '')"
    )
    expression = match_expression(parse_query(query))
    if expression is not None:
        db.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH ?", (expression,))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(queries)
def test_search_never_raises(search_archive, query: str) -> None:
    result = search(search_archive.archive, query, limit=5)
    assert all(hit.snippet and hit.asset_id for hit in result)
