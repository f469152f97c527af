"""Ranking that puts the thing first: what was said or shown ranks above an asset that only
happens to sit in an event whose name holds the word (issue 18, part 2).

A real archive (SQLite file or PostgreSQL) searched through the real CLI, as a user would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.db import Event
from tests.fixtures.search import DATABASES, SearchArchive, add_asset
from tests.helpers import run_cli


def build_workshop_archive(home: Path, db: str | None) -> SearchArchive:
    """Four talks of the "Stadtlabor-Werkstatt 2024" whose titles are their file names and
    whose speech never says "Labor"; two talks elsewhere that do speak of labs."""
    archive = Archive(Settings.load(home=home, db=db))
    built = SearchArchive(archive, home, db=db)
    with archive.session() as session:
        workshop = Event(name="Stadtlabor-Werkstatt 2024", date="2024-06-01")
        forum = Event(name="Forum Verwaltung", date="2024-03-01")
        session.add_all([workshop, forum])
        assets = {}
        for name, said in [
            ("mueller-impuls.mp3", "Wir sprechen heute über Radwege und Parkplätze."),
            ("schulz-panel.mp3", "Die Bürgerbeteiligung beginnt im Quartier."),
            ("weiss-rueckblick.mp3", "Ein Rückblick auf zwei Jahre Nachbarschaftsarbeit."),
            ("doe-abschluss.mp3", "Danke an alle, die mitgemacht haben."),
        ]:
            # Ingested from local files without a title: the file name is the title.
            asset = add_asset(
                session, name, title=name, filename=name, events=[workshop], segments=[said]
            )
            assets[name] = asset
        assets["labor-talk"] = add_asset(
            session,
            "raeume-talk",
            title="Offene Räume in der Stadt",
            speakers=["Anna Müller"],
            events=[forum],
            segments=[
                "Guten Morgen zusammen.",
                "Unser Labor steht allen offen, die etwas ausprobieren wollen.",
                "In der Werkstatt bauen wir mit Kindern aus der Nachbarschaft die ersten"
                " Prototypen für den neuen Spielplatz am Fluss.",
            ],
        )
        assets["slides"] = add_asset(
            session,
            "slides",
            title="Werkstattbericht",
            kind="image",
            events=[forum],
            ocr=[("image", None, "Das Labor in Zahlen: 40 Projekte")],
        )
        assets["titled"] = add_asset(
            session,
            "titled",
            title="Das Labor als Ort",
            speakers=["Jörg Weiß"],
            events=[forum],
            segments=["Wir beginnen mit einer kurzen Vorstellungsrunde."],
        )
        built.ids = {role: asset.short_id for role, asset in assets.items()}
    return built


@pytest.fixture(scope="module", params=DATABASES)
def workshop(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchArchive]:
    db = None
    server = None
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")
        db = server.create_database()
    built = build_workshop_archive(tmp_path_factory.mktemp("ranking") / "home", db)
    yield built
    built.archive.close()
    if server is not None and db is not None:
        server.drop_database(db)


def search_json(archive: SearchArchive, *args: str) -> list[dict]:  # type: ignore[type-arg]
    result = run_cli(*archive.cli_options, "search", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_what_was_said_or_shown_ranks_above_an_event_name_match(workshop) -> None:
    hits = search_json(workshop, "Labor")
    seen = [(workshop.role(hit["asset_id"]), hit["source"]) for hit in hits]
    # The title that is the query comes first; then speech and the screenshot; the four
    # talks that are only in the "Stadtlabor" event come last, each once.
    assert seen[0] == ("titled", "metadata")
    assert set(seen[1:3]) == {("labor-talk", "speech"), ("slides", "image")}
    event_only = seen[3:]
    assert sorted(event_only) == sorted(
        (name, "metadata")
        for name in [
            "mueller-impuls.mp3",
            "schulz-panel.mp3",
            "weiss-rueckblick.mp3",
            "doe-abschluss.mp3",
        ]
    )
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_a_word_said_ranks_above_the_same_word_in_an_event_name(workshop) -> None:
    hits = search_json(workshop, "Werkstatt")
    seen = [(workshop.role(hit["asset_id"]), hit["source"]) for hit in hits]
    assert seen[0] == ("labor-talk", "speech")
    assert hits[0]["snippet"].startswith("In der <mark>Werkstatt</mark> bauen wir")
    # Each talk of the "Stadtlabor-Werkstatt 2024" once, below what was said.
    assert sorted(seen[1:5]) == sorted(
        (name, "metadata")
        for name in [
            "mueller-impuls.mp3",
            "schulz-panel.mp3",
            "weiss-rueckblick.mp3",
            "doe-abschluss.mp3",
        ]
    )


def test_an_event_name_hit_shows_the_file_name_once(workshop) -> None:
    hits = search_json(workshop, "Stadtlabor", "--limit", "50")
    mueller = [h for h in hits if workshop.role(h["asset_id"]) == "mueller-impuls.mp3"]
    assert len(mueller) == 1
    assert mueller[0]["snippet"] == "mueller-impuls.mp3 <mark>Stadtlabor</mark>-Werkstatt 2024"


def test_group_keeps_one_entry_per_asset_with_the_speech_first(workshop) -> None:
    grouped = search_json(workshop, "Labor", "--group")
    roles = [workshop.role(hit["asset_id"]) for hit in grouped]
    assert len(roles) == len(set(roles)) == 7
    assert roles[0] == "titled"
    assert set(roles[1:3]) == {"labor-talk", "slides"}


def test_a_query_naming_the_speaker_ranks_the_talk_first(workshop) -> None:
    hits = search_json(workshop, "Anna Müller")
    assert (workshop.role(hits[0]["asset_id"]), hits[0]["source"]) == ("labor-talk", "metadata")


def test_terminal_output_lists_speech_before_event_only_talks(workshop) -> None:
    result = run_cli(*workshop.cli_options, "search", "Labor")
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if "[" in line and "]" in line]
    sources = [line.rsplit("[", 1)[1] for line in lines]
    assert sources[0].startswith("metadata") and sources[1].startswith(("speech", "image"))
    assert all(source.startswith("metadata") for source in sources[3:])
    assert "mueller-impuls.mp3 mueller-impuls.mp3" not in result.stdout


def test_a_stop_word_is_still_required_but_ranks_nothing(workshop) -> None:
    # "die" is matched but not weighed (a word in most documents costs bm25 a walk over
    # all of them, for no weight): the hits are those holding both words, in the order of
    # "Werkstatt" alone.
    both = search_json(workshop, "die Werkstatt")
    alone = search_json(workshop, "Werkstatt")
    assert [(workshop.role(h["asset_id"]), h["source"]) for h in both] == [("labor-talk", "speech")]
    assert alone[0] == {**both[0], "snippet": alone[0]["snippet"], "score": alone[0]["score"]}
    assert "<mark>Werkstatt</mark>" in both[0]["snippet"]
    assert "<mark>die</mark> ersten" in both[0]["snippet"]


def test_a_query_of_only_stop_words_finds_what_holds_them(workshop) -> None:
    hits = search_json(workshop, "die", "--limit", "50")
    said = sorted((workshop.role(h["asset_id"]), h["start"]) for h in hits)
    # Every segment that says "die" (or "Die"), and nothing else.
    assert [role for role, _ in said] == [
        "doe-abschluss.mp3",
        "labor-talk",
        "labor-talk",
        "schulz-panel.mp3",
    ]
    assert all(h["source"] == "speech" for h in hits)
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert not search_json(workshop, '"die die"')


def test_the_best_few_of_thousands_of_candidates_come_in_the_full_order() -> None:
    # A search asks ``ordered`` for its top 20 of up to RANK_CANDIDATES (3,000) scored rows;
    # the shortcut for that must give exactly the head of the full order: ties (common in
    # bm25 scores and in the 1e-6 steps of stop-word queries) by key, lowest first, lifted
    # metadata first, other metadata weighed down.
    import random

    from mediaarchive.search.documents import METADATA_BASE
    from mediaarchive.search.ranking import ordered

    rng = random.Random(5)
    for _ in range(50):
        metadata = rng.choice([0, 1, 29])  # none: the shortcut that skips weighing
        keys = rng.sample(range(1, 100_000), 3000) + [METADATA_BASE + i for i in range(metadata)]
        keys.sort(reverse=True)  # as FTS5 yields them
        scored = [(key, float(rng.randrange(0, 40))) for key in keys]
        lifted = set(rng.sample(keys[:metadata], rng.randrange(0, min(3, metadata + 1))))
        full = ordered(scored, lifted)
        assert ordered(scored, lifted, 20) == full[:20]
        assert [key for key, _ in full[: len(lifted)]] == sorted(
            lifted, key=lambda key: (-dict(scored)[key], key)
        )
