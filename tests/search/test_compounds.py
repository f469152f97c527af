"""German compounds split by the Hunspell dictionary, other languages, awkward input.

Every test runs on SQLite and on PostgreSQL (the archive of ``compound_archive``), through
``services.search`` as the CLI and the web page call it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.search.compounds import dictionary_tag
from mediaarchive.search.german import ANALYZER_VERSION
from mediaarchive.services.search import search
from tests.fixtures.search import DATABASES, SearchArchive, add_asset

LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitän" * 5  # 210 letters

#: role → (kind, language, speech segment or OCR text)
DOCUMENTS = {
    "strassenfest": ("video", "de", "Heute eröffnen wir das Straßenfest in der Nordstadt."),
    "fest": ("video", "de", "Das Fest beginnt um drei Uhr."),
    "feste": ("video", "de", "Alle Feste im Sommer sind ausgebucht."),
    "parkausweis": ("video", "de", "Sie brauchen einen Anwohnerparkausweis vom Bürgeramt."),
    "park": ("video", "de", "Der Park hinter dem Rathaus wird neu bepflanzt."),
    "parks": ("video", "de", "Die Parks der Stadt sind im Sommer voll."),
    "einheiten": ("video", "de", "Die Innovationseinheiten der Ministerien arbeiten zusammen."),
    "apparat": ("video", "de", "Der alte Apparat im Keller misst die Temperatur."),
    "stadtrat": ("video", "de", "Der Stadtrat hat den Haushalt beschlossen."),
    "messdaten": ("image", "de", "OFFENE MESSDATEN\nLuftqualität Nordstadt"),
    "daten": ("video", "de", "Offene Daten sind die Grundlage guter Politik."),
    "haltestelle": ("video", "de", "Die Straßenbahnhaltestelle am Hauptbahnhof wird umgebaut."),
    "english": ("video", "en", "The runners were running through the old parks."),
    "covid": (
        "video",
        "de",
        "Während der COVID-19-Pandemie war alles online, schreiben Sie an die E-Mail-Adresse.",
    ),
    "long": ("video", "de", f"Ein sehr langes Wort: {LONG_WORD}."),
}


def build(home: Path, db: str | None) -> SearchArchive:
    archive = Archive(Settings.load(home=home, db=db))
    result = SearchArchive(archive, home, db=db)
    with archive.session() as session:
        for role, (kind, language, words) in DOCUMENTS.items():
            asset = add_asset(
                session,
                role,
                title=f"Aufnahme {len(result.ids) + 1}",
                kind=kind,
                language=language,
                segments=None if kind == "image" else [words],
                ocr=[("image", None, words)] if kind == "image" else None,
            )
            result.ids[role] = asset.short_id
    return result


@pytest.fixture(scope="module", params=DATABASES)
def compound_archive(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchArchive]:
    server = None if request.param == "sqlite" else request.getfixturevalue("postgres_server")
    db = None if server is None else server.create_database()
    built = build(tmp_path_factory.mktemp("compounds") / "home", db)
    yield built
    built.archive.close()
    if server is not None:
        server.drop_database(db)


def roles(sa: SearchArchive, query: str, **options) -> list[str]:  # type: ignore[no-untyped-def]
    """Roles of the speech/image hits (not the neutral titles), in rank order."""
    return [
        sa.role(hit.asset_id)
        for hit in search(sa.archive, query, **options)
        if hit.source != "metadata"
    ]


def snippet(sa: SearchArchive, query: str, role: str, **options) -> str:  # type: ignore[no-untyped-def]
    for hit in search(sa.archive, query, **options):
        if sa.role(hit.asset_id) == role and hit.source != "metadata":
            return hit.snippet
    raise AssertionError(f"{query!r} does not find {role}")


# -- parts of compounds: head, middle, tail ---------------------------------------------------


@pytest.mark.parametrize(
    ("query", "role", "marked", "options"),
    [
        ("Fest", "strassenfest", "Straßenfest", {}),  # tail, short
        ("Straße", "strassenfest", "Straßenfest", {}),  # head, with the linking -n
        ("Park", "parkausweis", "Anwohnerparkausweis", {}),  # middle of three
        ("Anwohner", "parkausweis", "Anwohnerparkausweis", {}),  # head of three
        ("Ausweis", "parkausweis", "Anwohnerparkausweis", {}),  # tail of three
        ("Einheiten", "einheiten", "Innovationseinheiten", {}),  # the -heit- stem, inflected
        ("Innovation", "einheiten", "Innovationseinheiten", {}),  # head with the linking -s
        ("Daten", "messdaten", "MESSDATEN", {"source": "image"}),  # OCR text
        ("Bahn", "haltestelle", "Straßenbahnhaltestelle", {}),  # a middle part
        ("Straßenbahn", "haltestelle", "Straßenbahnhaltestelle", {}),  # an inner compound
        ("Rat", "stadtrat", "Stadtrat", {}),
    ],
)
def test_a_part_finds_the_compound_and_is_marked(
    compound_archive, query, role, marked, options
) -> None:
    assert f"<mark>{marked}</mark>" in snippet(compound_archive, query, role, **options)


def test_a_word_that_only_ends_in_the_query_is_not_found(compound_archive) -> None:
    # "Apparat" ends in "rat", but is no compound of Rat (Stadtrat and Rathaus are).
    assert set(roles(compound_archive, "rat")) == {"stadtrat", "park"}
    assert "<mark>" not in snippet(compound_archive, "Temperatur", "apparat").replace(
        "<mark>Temperatur</mark>", ""
    )


def test_source_filter_keeps_only_the_screenshot(compound_archive) -> None:
    assert roles(compound_archive, "Daten", source="image") == ["messdaten"]
    assert set(roles(compound_archive, "Daten")) == {"daten", "messdaten"}


def test_exact_word_ranks_above_inflection_above_part(compound_archive) -> None:
    found = roles(compound_archive, "Fest")
    assert found[:2] == ["fest", "feste"]
    assert "strassenfest" in found[2:]
    found = roles(compound_archive, "Park")
    assert found[0] == "park"
    assert found.index("parks") < found.index("parkausweis")


# -- other languages ------------------------------------------------------------------------


def test_english_transcript_is_stemmed_in_english(compound_archive) -> None:
    # "running" and "runners" share the English stem "run"; the German stemmer keeps them.
    assert roles(compound_archive, "run") == ["english"]
    assert "<mark>running</mark>" in snippet(compound_archive, "run", "english")
    assert roles(compound_archive, "run", language="en") == ["english"]
    assert roles(compound_archive, "run", language="de") == []


# -- awkward input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("COVID-19-Pandemie", ["covid"]),
        ("Pandemie", ["covid"]),
        ("E-Mail-Adresse", ["covid"]),
        (LONG_WORD, ["long"]),
        (LONG_WORD[:60], []),  # no part of a 200-letter run is looked up
        ("die der und", []),  # only stop words: no error
        ("Straßenfest Москва 東京 🎉", []),  # mixed scripts: all words must match
        ("Straßenfest OR Москва OR 東京", ["strassenfest"]),
    ],
)
def test_awkward_queries_give_sensible_results_quickly(compound_archive, query, expected) -> None:
    started = time.perf_counter()
    found = roles(compound_archive, query)
    assert time.perf_counter() - started < 2.0
    if expected:
        assert found[: len(expected)] == expected
    else:
        assert found == [] or "<mark>" in snippet(compound_archive, query, found[0])


# -- the dictionary and the analyser version ------------------------------------------------


def test_analyser_version_names_the_dictionary(tmp_path: Path) -> None:
    assert ANALYZER_VERSION.endswith(dictionary_tag())
    assert dictionary_tag().startswith("hunspell-de-")
    # Another dictionary (an updated package) is another version: the index is rebuilt.
    dictionary = Path("/usr/share/hunspell/de_DE")
    changed = tmp_path / "de_DE"
    changed.with_suffix(".aff").write_bytes(dictionary.with_suffix(".aff").read_bytes())
    changed.with_suffix(".dic").write_bytes(
        dictionary.with_suffix(".dic").read_bytes() + b"Neuwort/S\n"
    )
    assert dictionary_tag(changed) != dictionary_tag()
    assert dictionary_tag(tmp_path / "missing") == "nodict"


def _cli_search(home: Path, query: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mediaarchive", "--home", str(home), "search", query, "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def _analyser(sa: SearchArchive) -> str:
    with sa.archive.session() as session:
        return session.execute(
            text("SELECT value FROM search_meta WHERE key = 'analyzer'")
        ).scalar_one()


def test_without_the_dictionary_search_works_and_the_index_follows_the_version(
    tmp_path: Path,
) -> None:
    sa = build(tmp_path / "home", None)
    try:
        # The CLI on a machine without hunspell-de-de: no error, whole words still found,
        # compound parts not; the index was rebuilt for the "nodict" analysis.
        result = _cli_search(sa.home, "Fest", MEDIAARCHIVE_HUNSPELL_DE=str(tmp_path / "none"))
        assert result.returncode == 0, result.stderr
        hits = [sa.role(hit["asset_id"]) for hit in json.loads(result.stdout)]
        assert "fest" in hits and "strassenfest" not in hits
        assert "Traceback" not in result.stderr
        assert _analyser(sa).endswith("/nodict")
        # With the dictionary back, the next search rebuilds the index and finds parts again.
        assert "strassenfest" in roles(sa, "Fest")
        assert _analyser(sa) == ANALYZER_VERSION
    finally:
        sa.archive.close()
