"""A recording cut short whose container still claims the full length fails probe, says
where it ends, and is processed no further, unless the archivist accepts what is there."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from mediaarchive import synth
from mediaarchive.archive import find_asset
from tests.helpers import run_step

pytestmark = pytest.mark.usefixtures("core_pipelines")


@pytest.fixture(scope="module")
def half_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 10 s faststart MP4 (index at the front, claiming 10 s) cut after half its bytes."""
    folder = tmp_path_factory.mktemp("cut")
    whole = folder / "whole.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(synth.pattern_video(seconds=10, size=(320, 180), rate=25)),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(whole),
        ],
        check=True,
    )
    cut = folder / "vortrag-halb.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    return cut


def test_a_recording_cut_in_half_fails_probe_and_is_not_processed(
    cli, half_recording: Path
) -> None:
    ingested = cli("ingest", str(half_recording), "--no-process", "--json")
    [entry] = json.loads(ingested.stdout)
    result = cli("run")
    assert result.exit_code == 1
    assert "truncated at 0:00:0" in result.stderr and "of 0:00:10" in result.stderr
    [status] = json.loads(cli("status", "--json").stdout)
    steps = {step["name"]: step["state"] for step in status["steps"]}
    assert steps["probe"] == "failed" and steps.get("transcode") != "done"
    assert status["state"] == "failed"
    shown = json.loads(cli("show", entry["id"], "--json").stdout)
    assert shown["renditions"] == []

    retried = cli("retry", "--accept-truncated", entry["id"], "--json")
    assert retried.exit_code == 0, retried.stderr
    [status] = json.loads(retried.stdout)
    assert [(s["name"], s["state"]) for s in status["steps"]] == [
        ("fetch", "done"),
        ("probe", "done"),
        ("transcode", "done"),
    ]


def test_a_whole_recording_passes_and_a_cut_one_can_be_accepted(
    cli, archive, half_recording: Path
) -> None:
    whole = half_recording.with_name("whole.mp4")
    listed = json.loads(cli("ingest", str(whole), "--no-process", "--json").stdout + "")
    run_step(archive, listed[0]["id"], "probe")
    accepted = json.loads(
        cli("ingest", str(half_recording), "--accept-truncated", "--no-process", "--json").stdout
    )
    run_step(archive, accepted[0]["id"], "probe")
    with archive.session() as session:
        complete = find_asset(session, listed[0]["id"])
        assert "truncated" not in complete.probe and complete.probe["duration"] == 10.0
        cut = find_asset(session, accepted[0]["id"])
        assert cut.probe["truncated"]["of"] == 10.0
        assert 3.0 < cut.probe["truncated"]["at"] < 7.0
        assert cut.probe["duration"] == cut.probe["truncated"]["at"]
