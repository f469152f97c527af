"""Phrase queries scored from their matches (``search.fts5_score``, issue 18 part 5): a
phrase with few matches skips FTS5's second walk of the whole index for bm25, and gets
exactly the scores, order and hits that FTS5's ``bm25()`` gives.

A real SQLite archive, indexed through the write path; the same searches run both ways.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.db import Event
from mediaarchive.search import fts5_score
from mediaarchive.search import sqlite as sqlite_backend
from mediaarchive.search.filters import ResolvedFilters
from mediaarchive.search.fts5_match import disjunction, match_expression
from mediaarchive.search.german import analyse, exact_and_stems
from mediaarchive.search.query import parse_query
from mediaarchive.services.search import search
from tests.fixtures.search import SearchArchive, add_asset
from tests.helpers import run_cli

PHRASES = [
    '"die Bahn"',  # in speech, a title and a slide; twice in one segment
    '"die Bahnen"',  # an inflection: the words in one column, the stems in another
    '"Bahn Bahn"',  # overlapping occurrences in "Bahn Bahn Bahn"
    '"zu der Bahn"',
    '"E-Mail-Adresse"',  # a hyphenated word is a phrase of its parts
    '"COVID-19-Pandemie"',
    '"Anna Müller"',  # a speaker: the title and speakers' columns
    '"open data"',  # an English talk: English stems
    '"Москва die"',  # mixed scripts
    '"die Bahn" OR Straßenbahn',  # a phrase or a word
]


@pytest.fixture(scope="module")
def rail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchArchive]:
    home = tmp_path_factory.mktemp("phrases") / "home"
    archive = Archive(Settings.load(home=home))
    built = SearchArchive(archive, home)
    with archive.session() as session:
        event = Event(name="Mobilitätstag 2025", date="2025-04-01")
        session.add(event)
        assets = {
            "bahn": add_asset(
                session,
                "bahn",
                title="Die Bahn in der Stadt",
                speakers=["Anna Müller"],
                events=[event],
                segments=[
                    "Die Bahn kommt, die Bahn fährt: zu der Bahn gehen wir alle.",
                    "Wir sprechen über die Bahnen im Quartier und die Straßenbahn.",
                    "Die die die Bahn lieben, schreiben an die E-Mail-Adresse.",
                    "Москва die Partnerstadt hat die Bahn modernisiert.",
                    "Seit der COVID-19-Pandemie fahren weniger Menschen Bahn.",
                    "Bahn Bahn Bahn, rief das Kind, und noch einmal: Bahn Bahn.",
                ],
            ),
            "verkehr": add_asset(
                session,
                "verkehr",
                title="Verkehrswende",
                speakers=["Jörg Weiß"],
                events=[event],
                segments=[
                    "Die Bahn ist pünktlich, sagt die Bahn.",
                    "Eine Straßenbahn für die Bahnen der Region.",
                    "Zu der Bahn führt ein Radweg, und die die Bahn nutzen, parken dort.",
                ],
                ocr=[("slide", 30.0, "Die Bahn 2030: Takt und Netz")],
            ),
            "english": add_asset(
                session,
                "english",
                title="Open data for cities",
                language="en",
                events=[event],
                segments=[
                    "We opened our data: open data helps cities and the die hard fans.",
                    "Opening data is what open data portals do.",
                ],
            ),
            "other": add_asset(
                session,
                "other",
                title="Ein Abend im Quartier",
                segments=["Die Nachbarschaft trifft sich, die Bahn hält vor der Tür."],
            ),
        }
        built.ids = {role: asset.short_id for role, asset in assets.items()}
    yield built
    archive.close()


def results(sa: SearchArchive, query: str) -> list[tuple[str, str, float | None, float]]:
    return [(h.asset_id, h.source, h.start, h.score) for h in search(sa.archive, query, limit=50)]


@pytest.mark.parametrize("query", PHRASES)
def test_a_phrase_scored_from_its_matches_ranks_exactly_as_fts5(rail, monkeypatch, query):
    scored_here: list[int] = []
    real = sqlite_backend.bm25_of_matches

    def spy(*args):  # type: ignore[no-untyped-def]
        found = real(*args)
        scored_here.append(len(found or []))
        return found

    monkeypatch.setattr(sqlite_backend, "bm25_of_matches", spy)
    # FTS5's bm25 (scoring here costs "more" than any walk)...
    monkeypatch.setattr(sqlite_backend, "SCORE_SECONDS", 1e9)
    by_fts5 = results(rail, query)
    assert scored_here == []
    # ... and scored here (costs nothing): the same hits, order and scores, to the bit.
    monkeypatch.setattr(sqlite_backend, "SCORE_SECONDS", 0.0)
    here = results(rail, query)
    assert sum(scored_here) > 0, "the phrase was not scored from its matches"
    assert by_fts5, f"{query} finds nothing: the comparison would prove nothing"
    assert here == by_fts5


def test_phrase_scores_match_fts5s_bm25_row_by_row(rail) -> None:
    # Below the search: every match's score of a few phrases at once (an OR of them).
    query = parse_query('"die Bahn" OR "die Bahnen" OR "open data" OR "Bahn Bahn"')
    full = match_expression(query, loose=False)
    phrases = disjunction(query, loose=False)
    assert full is not None and phrases is not None
    weights = ", ".join(map(str, sqlite_backend.WEIGHTS))
    with rail.archive.session() as session:
        db = session.connection().connection.driver_connection
        fts5 = db.execute(
            f"SELECT rowid, -bm25(search_fts, {weights}) FROM search_fts"
            " WHERE search_fts MATCH ? ORDER BY rowid DESC",
            (full,),
        ).fetchall()
        ours = fts5_score.bm25_of_matches(
            db,
            [rowid for rowid, _ in fts5],
            phrases,
            sqlite_backend.WEIGHTS,
            sqlite_backend._word_columns,
        )
    assert len(fts5) >= 10
    assert ours == fts5


def test_a_phrase_with_more_matches_than_are_ranked_keeps_the_newest(rail, monkeypatch):
    # More matches than RANK_CANDIDATES: FTS5 ranks the newest of them, as for any word.
    monkeypatch.setattr(sqlite_backend, "SCORE_SECONDS", 0.0)
    everything = results(rail, '"die Bahn"')
    monkeypatch.setattr(sqlite_backend, "RANK_CANDIDATES", 2)
    newest = results(rail, '"die Bahn"')
    assert len(everything) > 2 and len(newest) == 2
    # The newest rows are kept: metadata and slides come after all speech (``documents``).
    assert {(rail.role(a), source) for a, source, *_ in newest} == {
        (rail.role(a), source) for a, source, *_ in everything if source != "speech"
    }
    assert len({source for _, source, *_ in newest}) == 2


def test_a_document_missing_beside_its_index_row_leaves_the_scoring_to_fts5(rail) -> None:
    query = parse_query('"die Bahn"')
    phrases = disjunction(query, loose=False)
    assert phrases is not None
    with rail.archive.session() as session:
        db = session.connection().connection.driver_connection
        assert (
            fts5_score.bm25_of_matches(
                db,
                [1 << 62],  # no such document
                phrases,
                sqlite_backend.WEIGHTS,
                sqlite_backend._word_columns,
            )
            is None
        )


def test_only_a_plain_or_of_phrases_is_scored_from_its_matches() -> None:
    def phrases(text: str, **filters):  # type: ignore[no-untyped-def]
        return disjunction(parse_query(text), ResolvedFilters(**filters), loose=False)

    found = phrases('"die Bahn" OR Straßenbahn')
    assert found is not None and len(found) >= 2
    # The phrases are the expression's, in its order, and nothing else is in it.
    expression = match_expression(parse_query('"die Bahn" OR Straßenbahn'), loose=False)
    assert expression is not None
    assert re.findall(r'\{[^}]*\} : "[^"]*"', expression) == [str(p) for p in found]
    assert set(re.sub(r'\{[^}]*\} : "[^"]*"|[() ]', "", expression).split("OR")) == {""}
    assert phrases('"die Bahn" Radweg') is None  # AND: a row with one of them may not match
    assert phrases('"die Bahn" -Radweg') is None
    assert phrases("Bahn*") is None
    assert phrases('"die Bahn"', event_ids=[1]) is None  # a filter is ANDed


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Die Straßenbahn fährt, die Bürger warten.", "de"),
        ("COVID-19-Pandemie, E-Mail-Adresse & Co_KG!", "de"),
        ("Москва und Zürich: Œuvre, ﬁnal, ²", "de"),
        ("Opening data portals helps cities", "en"),
        ("Ça va? Très bien, merci.", "fr"),
        ("", "de"),
    ],
)
def test_reading_words_back_gives_the_indexed_columns(text: str, language: str) -> None:
    exact, stems = exact_and_stems(text, language)
    analysed = analyse(text, language)
    assert " ".join(exact) == analysed.exact
    assert " ".join(stems) == analysed.stems
    # FTS5's own tokenizer sees the same words in the column.
    assert fts5_score.tokens(analysed.exact) == exact


def test_fts5_tokens_are_what_the_ascii_tokenizer_makes() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='ascii')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    text = "Die BAHN-fährt, Москва_Zürich 2025!ok"
    db.execute("INSERT INTO t (x) VALUES (?)", (text,))
    written = [term for (term,) in db.execute("SELECT term FROM v ORDER BY offset")]
    assert fts5_score.tokens(text) == written


@pytest.mark.parametrize("query", ['"die Bahn"', "Bahn"])
def test_an_unreadable_index_asks_for_a_rebuild_in_one_line(home: Path, query: str) -> None:
    archive = Archive(Settings.load(home=home))
    with archive.session() as session:
        add_asset(session, "talk", title="Bahnhof", segments=["Die Bahn kommt gleich."])
        # An index this build cannot read (here: its table is gone).
        session.execute(text("DROP TABLE search_fts"))
    archive.close()
    result = run_cli("--home", str(home), "search", query)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "search index is not usable" in lines[0]
    assert "run 'mediaarchive reindex'" in lines[0]
