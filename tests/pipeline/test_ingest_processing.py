"""`ingest` processes what it fetched (unless --no-process); a wrong --pipeline fails first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mediaarchive.archive import Archive

pytestmark = pytest.mark.usefixtures("core_pipelines")


def test_ingest_fetches_and_processes(
    cli,
    archive: Archive,  # type: ignore[no-untyped-def]
    media_files: dict[str, Path],
) -> None:
    result = cli(
        "ingest",
        str(media_files["mp4"]),
        str(media_files["image"]),
        str(media_files["corrupt"]),
        "--event",
        "Labcamp 4",
        "--jobs",
        "2",
        "--json",
    )
    assert result.exit_code == 1, result.stderr  # the corrupt file failed its probe
    entries = {Path(e["source_url"]).name: e for e in json.loads(result.stdout)}
    assert entries[media_files["mp4"].name]["state"] == "done"
    assert entries[media_files["image"].name]["state"] == "done"
    assert entries["kaputt.mp4"]["state"] == "failed"
    assert "probe: failed" in result.stderr

    video = json.loads(cli("show", entries[media_files["mp4"].name]["id"], "--json").stdout)
    assert {r["kind"] for r in video["renditions"]} >= {"speech_audio", "proxy", "poster"}
    assert video["probe"]["has_audio"] is True
    proxy = next(r for r in video["renditions"] if r["kind"] == "proxy")
    assert proxy["params"]["video_codec"] == "h264" and Path(proxy["path"]).is_file()
    steps = {s["name"]: s for s in video["steps"]}
    assert steps["fetch"]["state"] == "done" and steps["transcode"]["seconds"] > 0

    status = cli("status")
    assert "transcode" in status.stdout and "kaputt.mp4" in status.stdout


def test_no_process_only_queues_and_run_picks_it_up(
    cli,  # type: ignore[no-untyped-def]
    media_files: dict[str, Path],
) -> None:
    result = cli("ingest", str(media_files["image"]), "--no-process", "--json")
    entry = json.loads(result.stdout)[0]
    assert result.exit_code == 0 and entry["state"] == "queued"
    ran = cli("run", "--json")
    assert ran.exit_code == 0
    assert [(a["id"], a["state"]) for a in json.loads(ran.stdout)] == [(entry["id"], "done")]


def test_unknown_pipeline_fails_before_fetching(
    cli,  # type: ignore[no-untyped-def]
    media_files: dict[str, Path],
) -> None:
    result = cli("ingest", str(media_files["image"]), "--pipeline", "keynot")
    assert result.exit_code == 1
    assert "no pipeline named 'keynot'" in result.stderr
    assert json.loads(cli("status", "--json").stdout) == []
