"""`status` filters: an empty result says which filter matched nothing; `--event` matches as
`search --event` does, while commands that change things need the event's name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EVENTS = {"image": "Labcamp 4", "wav": "Labcamp 42", "mp3": "Bürgerwerkstatt"}


@pytest.fixture
def three_events(cli, media_files: dict[str, Path]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """One asset in each of three events (not processed); asset id by event name."""
    ids = {}
    for name, event in EVENTS.items():
        result = cli("ingest", str(media_files[name]), "--event", event, "--no-process", "--json")
        assert result.exit_code == 0, result.stderr
        ids[event] = json.loads(result.stdout)[0]["id"]
    return ids


def listed(cli, *filters: str) -> list[str]:  # type: ignore[no-untyped-def]
    result = cli("status", *filters, "--json")
    assert result.exit_code == 0, result.stderr
    return [entry["id"] for entry in json.loads(result.stdout)]


def test_an_empty_filter_result_names_the_filter_not_an_empty_archive(cli, three_events) -> None:  # type: ignore[no-untyped-def]
    by_event = cli("status", "--event", "werkstatt 9")
    assert by_event.exit_code == 0
    assert by_event.stdout == ""
    assert "No assets yet" not in by_event.stderr
    assert (
        "no assets match --event 'werkstatt 9'; known events: Labcamp 4, Labcamp 42, "
        "Bürgerwerkstatt"
    ) in by_event.stderr

    by_state = cli("status", "--state", "failed")
    assert by_state.exit_code == 0
    assert "no assets match --state failed; states now: queued" in by_state.stderr

    as_json = cli("status", "--state", "failed", "--json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == []
    assert "no assets match --state failed" in as_json.stderr

    # Each filter matches something, only not together: both are named.
    both = cli("status", "--event", "Labcamp 4", "--kind", "audio")
    assert both.exit_code == 0
    assert "no assets match --event 'Labcamp 4' --kind audio" in both.stderr


def test_an_empty_archive_still_says_how_to_add_assets(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("status", "--state", "failed")
    assert result.exit_code == 0
    assert "No assets yet: add some with 'mediaarchive ingest SOURCE'." in result.stderr


def test_status_event_matches_as_search_does(cli, three_events) -> None:  # type: ignore[no-untyped-def]
    labcamp_4, labcamp_42 = three_events["Labcamp 4"], three_events["Labcamp 42"]
    # The whole name (any case) means that event only, never also "Labcamp 42"…
    assert listed(cli, "--event", "labcamp 4") == [labcamp_4]
    # …a part of a name means every event that has it…
    assert sorted(listed(cli, "--event", "LABCAMP")) == sorted([labcamp_4, labcamp_42])
    # …and umlauts may be spelt either way.
    assert listed(cli, "--event", "buergerwerk") == [three_events["Bürgerwerkstatt"]]
    assert listed(cli, "--event", "Burgerwerkstatt") == [three_events["Bürgerwerkstatt"]]


def test_export_still_needs_the_event_name(cli, three_events, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "--event", "Labcamp", "--to", str(tmp_path / "bag"))
    assert result.exit_code == 1
    assert "no event named 'Labcamp'" in result.stderr
    assert not (tmp_path / "bag").exists()


def test_status_answers_without_loading_the_orm(cli, home: Path, three_events) -> None:  # type: ignore[no-untyped-def]
    """`status` on an archive whose schema is current reads with plain SQL: neither
    SQLAlchemy nor Alembic (over half a second of start-up on a small CPU) is loaded, and
    the listing is the same as the one the ORM-backed web and `show` see."""
    probe = (
        "import sys\nfrom mediaarchive.cli import main\n"
        "try:\n    main(['--home', sys.argv[1], 'status', '--json'])\nexcept SystemExit:\n"
        "    pass\nprint(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'alembic')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(home)], capture_output=True, text=True, check=True
    )
    *listing, loaded = result.stdout.strip().splitlines()
    assert loaded == "[]"
    assert [entry["id"] for entry in json.loads("\n".join(listing))] == listed(cli)
    assert sorted(listed(cli)) == sorted(three_events.values())
