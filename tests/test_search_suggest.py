"""Did you mean: a misspelled search is answered with the archive's own spelling of the word
it meant (issue 18, part 3), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import time

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.db import Asset
from mediaarchive.db.session import MIGRATIONS
from mediaarchive.services import audience, editing, withdrawal
from mediaarchive.services.search import find, reindex, suggest
from tests.fixtures.search import SearchArchive, add_asset
from tests.helpers import run_cli


def cli(archive: SearchArchive, *args: str):  # type: ignore[no-untyped-def]
    return run_cli(*archive.cli_options, *args)


def test_a_misspelled_word_gets_the_archives_spelling_on_stderr(search_archive) -> None:
    result = cli(search_archive, "search", "Innovatonslabor")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["No hits.", "Did you mean: Innovationslabor?"]
    # The suggestion finds what was meant.
    meant = cli(search_archive, "search", "Innovationslabor", "--json")
    assert {search_archive.role(hit["asset_id"]) for hit in json.loads(meant.stdout)} >= {
        "keynote",
        "whiteboard",
    }


def test_json_output_stays_a_list_of_hits(search_archive) -> None:
    result = cli(search_archive, "search", "Innovatonslabor", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "Did you mean: Innovationslabor?" in result.stderr


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Mueler", "Müller"),  # spelled as the archive spells it, not folded ("muller")
        ("Universtät", "Universität"),
        ("Protoyp", "Prototyp"),  # two letters swapped: one edit
        ("Stadlabor", "Stadtlabor"),
        ("Verwaltngsdigitalisierung", "Verwaltungsdigitalisierung"),
        ("keynote Innovatonslabor", "keynote Innovationslabor"),  # the rest as typed
        ("Stadlabor -Prototyp", "Stadtlabor -Prototyp"),
    ],
)
def test_suggestions_keep_the_query_and_fix_the_misspelled_word(
    search_archive, typed, meant
) -> None:
    result = find(search_archive.archive, typed)
    assert result.hits == []
    assert result.suggestions == [meant]


def test_a_search_with_enough_hits_suggests_nothing(search_archive) -> None:
    result = cli(search_archive, "search", "Labor")
    assert result.exit_code == 0 and "Did you mean" not in result.stderr
    assert find(search_archive.archive, "Innovationslabor").suggestions == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "und die der",  # only stop words
        "x" * 200,
        "Innovationslaborinnovationslabor" * 6,  # a 200-letter "compound"
        "COVID-19-Pandemie",
        "E-Mail-Adresse",
        "12345 2024-05-16",
        "Лаборатория Labr",  # mixed scripts
        "日本語のテキスト",
        '"Innovatons labor" OR NEAR( * -',
        "ä" * 500,
    ],
)
def test_bad_input_gives_sensible_suggestions_fast(search_archive, query) -> None:
    started = time.perf_counter()
    suggestions = suggest(search_archive.archive, query)
    assert time.perf_counter() - started < 1.0
    assert isinstance(suggestions, list)
    assert all(isinstance(s, str) and s.strip() and len(s) < 1100 for s in suggestions)
    assert cli(search_archive, "search", query or " ").exit_code == 0


def test_mixed_scripts_still_fix_the_latin_word(search_archive) -> None:
    assert suggest(search_archive.archive, "Лаборатория Stadlabor") == ["Лаборатория Stadtlabor"]


def test_the_vocabulary_follows_the_index(fresh_search_archive) -> None:
    sa = fresh_search_archive
    assert suggest(sa.archive, "Quantencompting") == []
    with sa.archive.session() as session:
        add_asset(
            session,
            "quantum",
            title="Rechnen mit Qubits",
            segments=["Quantencomputing verändert die Kryptografie.", "Quantencomputing kommt."],
        )
    assert suggest(sa.archive, "Quantencompting") == ["Quantencomputing"]
    # An edited title is suggested at once; the old one no longer.
    quantum = cli(sa, "search", "Qubits", "--json")
    quantum_id = json.loads(quantum.stdout)[0]["asset_id"]
    editing.edit_asset(sa.archive, quantum_id, {"title": "Rechnen mit Photonen"}, by="test")
    assert suggest(sa.archive, "Photnen") == ["Photonen"]
    assert suggest(sa.archive, "Qubts") == []
    # A withdrawn asset's words are gone; restored, they are back.
    withdrawal.withdraw(sa.archive, quantum_id, reason="Einwilligung widerrufen", by="test")
    assert suggest(sa.archive, "Quantencompting") == []
    withdrawal.restore(sa.archive, quantum_id, by="test")
    assert suggest(sa.archive, "Quantencompting") == ["Quantencomputing"]
    before = [suggest(sa.archive, q) for q in ("Photnen", "Mueler", "Stadlabor", "Innovatonslabor")]
    reindex(sa.archive)
    after = [suggest(sa.archive, q) for q in ("Photnen", "Mueler", "Stadlabor", "Innovatonslabor")]
    assert after == before == [["Photonen"], ["Müller"], ["Stadtlabor"], ["Innovationslabor"]]


def test_anonymous_visitors_are_offered_words_of_public_assets_only(fresh_search_archive) -> None:
    sa = fresh_search_archive
    with sa.archive.session() as session:
        add_asset(
            session,
            "public-talk",
            title="Bürgerhaushalt",
            segments=["Der Bürgerhaushalt ist öffentlich."],
        )
        asset = session.scalar(select(Asset).where(Asset.title == "Bürgerhaushalt"))
        assert asset is not None
        public_id = asset.short_id
    editing.edit_asset(sa.archive, public_id, {"visibility": "public"}, by="test")
    with audience.reading_as(audience.PUBLIC):
        assert suggest(sa.archive, "Bürgerhaushlt") == ["Bürgerhaushalt"]
        # "Innovationslabor" is only in internal assets.
        assert suggest(sa.archive, "Innovatonslabor") == []
    with audience.reading_as(audience.ACCOUNTS):
        assert suggest(sa.archive, "Innovatonslabor") == ["Innovationslabor"]
    # Made internal again, its words are no longer offered to the public.
    editing.edit_asset(sa.archive, public_id, {"visibility": "internal"}, by="test")
    with audience.reading_as(audience.PUBLIC):
        assert suggest(sa.archive, "Bürgerhaushlt") == []


def test_an_archive_from_before_suggestions_gets_its_vocabulary_on_upgrade(
    fresh_search_archive,
) -> None:
    sa = fresh_search_archive
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with sa.archive.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0014_purge")
    sa.archive.close()
    upgraded = Archive(Settings.load(home=sa.home, db=sa.db))  # migrates to the newest
    try:
        assert suggest(upgraded, "Innovatonslabor") == ["Innovationslabor"]
        assert suggest(upgraded, "Mueler") == ["Müller"]
        assert find(upgraded, "Innovationslabor").hits
    finally:
        upgraded.close()


def test_a_suggestion_finds_something_within_the_searchs_filters(search_archive) -> None:
    # "Innovationslabor" is said and shown only at the Labcamp. Searching the Verwaltungstag
    # for the misspelled word must not offer it: it finds nothing there either.
    elsewhere = cli(search_archive, "search", "Innovatonslabor", "--event", "Verwaltungstag 2023")
    assert elsewhere.exit_code == 0
    assert elsewhere.stderr.splitlines() == ["No hits."]
    there = cli(search_archive, "search", "Innovatonslabor", "--event", "Labcamp 4")
    assert there.stderr.splitlines() == ["No hits.", "Did you mean: Innovationslabor?"]
    # A word the filtered event does hold is still offered ("Verwaltung" is said there).
    result = find(search_archive.archive, "Verwaltng", event="Verwaltungstag 2023")
    assert result.hits == [] and result.suggestions == ["Verwaltung"]
