"""Metadata edits, event renames and merges, and their history: through the library on
SQLite and PostgreSQL, and through the CLI with --json."""

from __future__ import annotations

import json

import pytest

from mediaarchive import services
from mediaarchive.db import Event, PageLink
from mediaarchive.errors import NotFoundError, UserError
from tests.fixtures.search import SearchArchive
from tests.helpers import run_cli


def _titles(archive, query: str, **options) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit.title for hit in services.search.search(archive, query, **options)]


def test_edit_changes_the_asset_is_found_by_its_new_title_and_history_says_who(
    curated: SearchArchive,
) -> None:
    archive, keynote = curated.archive, curated.ids["keynote"]
    result = services.editing.edit_asset(
        archive,
        keynote,
        {
            "title": "Keynote: Innovationslabore",
            "speakers": ["Dr. Anna Beispiel"],
            "date": "2021-07-13",
            "language": "DE",
        },
        by="archivist",
    )
    assert {c.field: c.new for c in result.changes} == {
        "title": "Keynote: Innovationslabore",
        "speakers": ["Dr. Anna Beispiel"],
        "date": "2021-07-13",
    }  # the language was "de" already: no change, no record
    assert "Keynote: Innovationslabore" in _titles(archive, "Beispiel")
    assert _titles(archive, "Lebenszyklen", source="metadata") == []
    detail = services.views.asset_detail(archive, keynote)
    assert (detail["title"], detail["speakers"], detail["date"]) == (
        "Keynote: Innovationslabore",
        ["Dr. Anna Beispiel"],
        "2021-07-13",
    )
    history = services.history.asset_history(archive, keynote)
    assert [(h.by, h.action, h.field, h.old, h.new) for h in history] == [
        ("archivist", "edit", "title", "Lebenszyklen von Innovationslaboren", detail["title"]),
        ("archivist", "edit", "speakers", ["Anna Müller"], ["Dr. Anna Beispiel"]),
        ("archivist", "edit", "date", "2024-05-16", "2021-07-13"),
    ]


@pytest.mark.parametrize(
    ("changes", "events", "error", "message"),
    [
        ({"date": "13.07.2021"}, {}, UserError, "is not a date"),
        ({"colour": "blue"}, {}, UserError, "unknown field 'colour'"),
        ({"title": "New"}, {"add_events": ["Nowhere"]}, NotFoundError, "--create-event"),
        ({"language": "Deutsch!"}, {}, UserError, "not a language code"),
        ({"title": "New"}, {"remove_events": ["Verwaltungstag 2023"]}, UserError, "not in event"),
    ],
)
def test_a_bad_edit_changes_nothing(curated_sqlite, changes, events, error, message) -> None:
    archive, keynote = curated_sqlite.archive, curated_sqlite.ids["keynote"]
    with pytest.raises(error, match=message):
        services.editing.edit_asset(archive, keynote, changes, **events)
    detail = services.views.asset_detail(archive, keynote)
    assert (detail["title"], detail["date"], detail["events"]) == (
        "Lebenszyklen von Innovationslaboren",
        "2024-05-16",
        ["Labcamp 4"],
    )
    assert services.history.asset_history(archive, keynote) == []


def test_events_are_added_created_and_removed(curated: SearchArchive) -> None:
    archive, english = curated.archive, curated.ids["english"]
    result = services.editing.edit_asset(
        archive, english, add_events=["Open Labs Day"], create_event=True, by="a"
    )
    assert [(c.field, c.old, c.new) for c in result.changes] == [("events", [], ["Open Labs Day"])]
    assert _titles(archive, "innovation", event="Open Labs Day") == ["Open Labs"]
    services.editing.edit_asset(archive, english, remove_events=["Open Labs Day"], by="a")
    assert _titles(archive, "innovation", event="Open Labs Day") == []


def test_rename_and_merge_events(curated: SearchArchive) -> None:
    archive = curated.archive
    with archive.session() as session:
        session.add(Event(name="Labcamp4", date="2024-05-16"))
        session.flush()
        labcamp4 = session.query(Event).filter_by(name="Labcamp4").one()
        session.add(PageLink(event_id=labcamp4.id, url="https://labcamp.example/", heading="Home"))
    services.editing.edit_asset(archive, curated.ids["english"], add_events=["Labcamp4"], by="a")

    renamed = services.editing.rename_event(
        archive, "Verwaltungstag 2023", "Verwaltungstag", by="b"
    )
    assert [(c.field, c.old, c.new) for c in renamed.changes] == [
        ("name", "Verwaltungstag 2023", "Verwaltungstag")
    ]
    assert _titles(archive, "Behörde", event="Verwaltungstag") == [
        "Verwaltungsdigitalisierung in der Praxis"
    ]

    merged = services.editing.merge_events(archive, "Labcamp4", "Labcamp 4", by="c")
    assert (merged.event, merged.moved, merged.assets) == ("Labcamp 4", 1, 4)
    names = [e["name"] for e in services.status.list_events(archive)]
    assert sorted(names) == ["Labcamp 4", "Verwaltungstag"]
    assert "Open Labs" in _titles(archive, "innovation labs", event="Labcamp 4")
    with archive.session() as session:
        links = session.query(PageLink).all()
        assert [(link.url, link.event.name) for link in links] == [
            ("https://labcamp.example/", "Labcamp 4")
        ]
    history = services.history.asset_history(archive, curated.ids["english"])
    assert [(h.action, h.old, h.new) for h in history][-2:] == [
        ("event-merge", ["Labcamp4"], ["Labcamp 4"]),  # the asset's events
        ("event-merge", "Labcamp4", "Labcamp 4"),  # the event it is in now
    ]


def test_bad_event_changes_are_one_error_and_change_nothing(curated_sqlite) -> None:
    archive = curated_sqlite.archive
    with pytest.raises(UserError, match="into itself"):
        services.editing.merge_events(archive, "Labcamp 4", "Labcamp 4")
    with pytest.raises(UserError, match="exists already"):
        services.editing.rename_event(archive, "Labcamp 4", "Verwaltungstag 2023")
    with pytest.raises(NotFoundError, match="no event named 'Nope'"):
        services.editing.merge_events(archive, "Nope", "Labcamp 4")
    events = services.status.list_events(archive)
    assert sorted((e["name"], e["assets"]) for e in events) == [
        ("Labcamp 4", 3),
        ("Verwaltungstag 2023", 1),
    ]


def test_cli_edit_history_and_events_with_json(curated_sqlite: SearchArchive) -> None:
    options, keynote = curated_sqlite.cli_options, curated_sqlite.ids["keynote"]
    edited = run_cli(
        *options, "edit", keynote, "--title", "Keynote", "--speaker", "A", "--speaker", "B",
        "--by", "lena", "--json",
    )  # fmt: skip
    assert edited.exit_code == 0, edited.stderr
    assert json.loads(edited.stdout)["changes"][1] == {
        "field": "speakers",
        "old": ["Anna Müller"],
        "new": ["A", "B"],
    }
    renamed = run_cli(*options, "events", "rename", "Labcamp 4", "Labcamp IV", "--json")
    assert json.loads(renamed.stdout)["event"] == "Labcamp IV"
    listed = json.loads(run_cli(*options, "events", "--json").stdout)
    assert {e["name"] for e in listed} == {"Labcamp IV", "Verwaltungstag 2023"}
    history = json.loads(run_cli(*options, "history", keynote, "--json").stdout)
    assert [set(h) >= {"time", "by", "action", "field", "old", "new", "note"} for h in history]
    assert [(h["by"], h["action"], h["field"], h["new"]) for h in history] == [
        ("lena", "edit", "title", "Keynote"),
        ("lena", "edit", "speakers", ["A", "B"]),
        (history[2]["by"], "event-rename", "name", "Labcamp IV"),
    ]
    assert history[2]["by"]  # the OS user without --by


@pytest.mark.parametrize(
    "args",
    [
        ["edit", "ffffffffff", "--title", "X"],
        ["edit", "{keynote}", "--date", "tomorrow"],
        ["edit", "{keynote}", "--add-event", "Nowhere"],
        ["events", "merge", "Labcamp 4", "Labcamp 4"],
        ["history", "ffffffffff"],
    ],
)
def test_cli_bad_input_is_one_error_line(curated_sqlite: SearchArchive, args) -> None:
    keynote = curated_sqlite.ids["keynote"]
    result = run_cli(*curated_sqlite.cli_options, *(a.format(keynote=keynote) for a in args))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert services.history.asset_history(curated_sqlite.archive, keynote) == []
