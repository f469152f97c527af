"""``ingest --profile FILE``: where the time of one ingest went, per step and per phase."""

from __future__ import annotations

import json
from pathlib import Path

from mediaarchive import synth
from tests.helpers import run_cli

PHASES = {
    "probe": {"ffprobe / header", "completeness check", "DB writes"},
    "transcode": {"ffmpeg speech_audio + proxy", "store put", "DB writes"},
    "transcribe": {"load model", "read audio", "detect language", "decode", "guards", "DB writes"},
}


def test_ingest_profile_writes_each_step_and_its_phases(home: Path, tmp_path: Path) -> None:
    talk = synth.talk_audio(["Willkommen zum Labcamp.", "Heute sprechen wir über Prototypen."])
    report = tmp_path / "profile.json"
    result = run_cli("--home", str(home), "ingest", str(talk), "--profile", str(report))
    assert result.exit_code == 0, result.stderr
    profile = json.loads(report.read_text())
    steps = {entry["step"]: entry for entry in profile["steps"]}
    assert {"probe", "transcode", "transcribe", "subtitles", "index"} <= set(steps)
    for name, phases in PHASES.items():
        assert phases <= set(steps[name]["phases"]), (name, steps[name]["phases"])
        # Phases are counted once each: together (with "other") they are the step's time.
        assert abs(sum(steps[name]["phases"].values()) - steps[name]["seconds"]) < 0.01
    assert steps["transcribe"]["phases"]["decode"] > 0
    assert profile["startup_seconds"] > 0
    assert profile["total_seconds"] >= profile["steps_seconds"] > 0
    assert "fetch (hashed on the way)" in profile["outside_steps"]


def test_the_profile_is_a_table_to_read_and_the_environment_switch_works(
    home: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    talk = synth.talk_audio(["Guten Morgen."])
    report = tmp_path / "profile.txt"
    monkeypatch.setenv("MEDIAARCHIVE_PROFILE", str(report))
    result = run_cli("--home", str(home), "ingest", str(talk))
    assert result.exit_code == 0, result.stderr
    lines = report.read_text().splitlines()
    assert lines[0].startswith("total ") and "start-up" in lines[0]
    transcribe = next(i for i, line in enumerate(lines) if " transcribe " in line)
    assert any(line.strip().startswith("decode ") for line in lines[transcribe:])
