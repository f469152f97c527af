"""Review: what still needs checking (empty first, then oldest), low-confidence share and
guards; approve, start, reopen; an edit of an approved transcript goes back to review."""

from __future__ import annotations

import json

import pytest

from mediaarchive import services
from mediaarchive.config import Settings
from mediaarchive.errors import UserError
from tests.fixtures import transcripts
from tests.fixtures.search import SearchArchive
from tests.helpers import run_cli

KEYS = {"id", "title", "event", "revision", "review", "duration", "low_confidence", "empty"}


def _add_empty_talk(archive) -> str:  # type: ignore[no-untyped-def]
    """A talk whose newest transcription heard nothing (kept non-current), with a guard that
    fired; the transcript before it is current."""
    with archive.session() as session:
        asset = transcripts.add_asset(session, name="silent", title="Stille", kind="audio")
        transcripts.add_transcript(session, asset, [(0.0, 2.0, "Hallo?")])
        empty = transcripts.add_transcript(session, asset, [], current=False)
        empty.provenance = transcripts.provenance(
            guards={"options": {}, "counts": {"silence": 3}, "dropped": []}
        )
        return asset.short_id


def test_review_lists_empty_first_then_oldest_with_low_confidence(
    curated: SearchArchive, monkeypatch
) -> None:
    monkeypatch.setenv("MEDIAARCHIVE_LOW_CONFIDENCE_THRESHOLD", "0.85")
    archive = curated.archive
    archive.settings = Settings.load(home=curated.home, db=curated.db)
    assert archive.settings.low_confidence_threshold == 0.85
    silent = _add_empty_talk(archive)
    items = services.review.review_list(archive)
    assert [item.id for item in items] == [
        silent,
        curated.ids["keynote"],
        curated.ids["stadtlabor"],
        curated.ids["verwaltung"],
        curated.ids["english"],
    ]
    first = items[0]
    assert (first.empty, first.guards, first.low_confidence) == (True, ["silence"], None)
    words = [
        w["probability"]
        for s in services.views.asset_detail(archive, curated.ids["keynote"])["transcript"][
            "segments"
        ]
        for w in s["words"]
    ]
    keynote = items[1]
    assert keynote.low_confidence == pytest.approx(
        sum(p < 0.85 for p in words) / len(words), abs=1e-4
    )
    assert (keynote.empty, keynote.review, keynote.revision) == (False, "machine", 1)
    assert [i.id for i in services.review.review_list(archive, event="Verwaltungstag")] == [
        curated.ids["verwaltung"]
    ]


def test_approve_then_an_edit_moves_it_back_to_review(curated: SearchArchive) -> None:
    archive, keynote = curated.archive, curated.ids["keynote"]
    assert services.review.set_review(archive, keynote, "approve", by="chef").new == "approved"
    assert keynote not in [i.id for i in services.review.review_list(archive)]
    assert [i.id for i in services.review.review_list(archive, state="approved")] == [keynote]
    form = services.revisions.edit_form(archive, keynote)
    saved = services.revisions.save_form(archive, keynote, form.replace("Räume", "Orte"), by="x")
    assert saved.review == "in-review"
    detail = services.views.asset_detail(archive, keynote)
    assert (detail["transcript"]["revision"], detail["transcript"]["review"]) == (2, "in-review")
    listed = json.loads(run_cli(*curated.cli_options, "status", "--json").stdout)
    assert [(a["revision"], a["review"]) for a in listed if a["id"] == keynote] == [
        (2, "in-review")
    ]
    with pytest.raises(UserError, match="not approved: nothing to reopen"):
        services.review.set_review(archive, keynote, "reopen")
    history = services.history.asset_history(archive, keynote)
    assert [(h.by, h.field, h.old, h.new) for h in history if h.field == "review"] == [
        ("chef", "review", "machine", "approved"),
        ("x", "review", "approved", "in-review"),
    ]


def test_review_cli_lists_and_moves_states_with_json(curated_sqlite: SearchArchive) -> None:
    options, keynote = curated_sqlite.cli_options, curated_sqlite.ids["keynote"]
    listed = json.loads(run_cli(*options, "review", "--event", "Labcamp 4", "--json").stdout)
    assert [item["id"] for item in listed] == [keynote, curated_sqlite.ids["stadtlabor"]]
    assert all(KEYS | {"guards"} <= set(item) for item in listed)
    started = run_cli(*options, "review", keynote, "--start", "--json")
    assert json.loads(started.stdout) | {"transcript": 0} == {
        "id": keynote,
        "transcript": 0,
        "old": "machine",
        "new": "in-review",
    }
    approved = json.loads(run_cli(*options, "review", keynote, "--approve", "--json").stdout)
    assert approved["new"] == "approved"
    shown = json.loads(run_cli(*options, "show", keynote, "--json").stdout)["transcript"]
    assert (shown["revision"], shown["review"], shown["language"]) == (1, "approved", "de")
    wrong = run_cli(*options, "review", curated_sqlite.ids["stadtlabor"], "--reopen")
    assert wrong.exit_code == 1 and wrong.stderr.startswith("Error: ")
    assert run_cli(*options, "review", keynote).exit_code == 2  # no action given
