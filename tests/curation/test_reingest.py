"""Re-ingesting with explicit metadata: the differences are reported, applied with
--update (an audit record each); --event stays additive."""

from __future__ import annotations

import json


def test_reingest_reports_then_updates_explicit_fields(cli, tmp_path, media) -> None:  # type: ignore[no-untyped-def]
    photo = tmp_path / "004.png"
    photo.write_bytes(media.png)
    first = json.loads(cli("ingest", str(photo), "--event", "A", "--no-process", "--json").stdout)
    asset_id = first[0]["id"]
    again = cli(
        "ingest", str(photo), "--title", "Whiteboard", "--date", "2021-07-13",
        "--event", "B", "--no-process", "--json",
    )  # fmt: skip
    assert again.exit_code == 0, again.stderr
    entry = json.loads(again.stdout)[0]
    assert (entry["created"], entry["updated"]) == (False, False)
    assert entry["differs"] == [
        {"field": "title", "old": "004.png", "new": "Whiteboard"},
        {"field": "date", "old": None, "new": "2021-07-13"},
    ]
    assert f"{asset_id}: title differs: archived '004.png', given 'Whiteboard'" in again.stderr
    assert "add --update" in again.stderr
    shown = json.loads(cli("show", asset_id, "--json").stdout)
    assert (shown["title"], shown["events"]) == ("004.png", ["A", "B"])  # --event adds

    updated = cli(
        "ingest", str(photo), "--title", "Whiteboard", "--speaker", "Jo", "--update",
        "--by", "lena", "--no-process", "--json",
    )  # fmt: skip
    entry = json.loads(updated.stdout)[0]
    assert (entry["updated"], entry["title"]) == (True, "Whiteboard")
    shown = json.loads(cli("show", asset_id, "--json").stdout)
    assert (shown["title"], shown["speakers"]) == ("Whiteboard", ["Jo"])
    history = json.loads(cli("history", asset_id, "--json").stdout)
    assert [(h["by"], h["action"], h["field"], h["old"], h["new"]) for h in history] == [
        ("lena", "reingest", "title", "004.png", "Whiteboard"),
        ("lena", "reingest", "speakers", [], ["Jo"]),
    ]
    hits = json.loads(cli("search", "Whiteboard", "--json").stdout)
    assert [h["asset_id"] for h in hits] == [asset_id]
