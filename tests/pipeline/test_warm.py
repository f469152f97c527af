"""A step prepares ahead of its turn (``StepSpec.warm``): the transcriber's model loads in
the background while ffmpeg makes the asset's speech audio (issue 19, part 2).

Real ingests through the CLI (espeak speech, ffmpeg, the bundled Whisper model).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import faster_whisper

from mediaarchive import synth
from mediaarchive.asr import transcriber
from mediaarchive.steps import STEPS, StepContext
from tests.helpers import run_cli


def test_the_model_loads_while_the_earlier_steps_run(home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A fresh process's cache: the model is loaded during this ingest.
    monkeypatch.setattr(transcriber, "_MODELS", {})
    events: list[tuple[str, str]] = []
    real_model = faster_whisper.WhisperModel

    def model(*args, **kwargs):  # type: ignore[no-untyped-def]
        events.append(("model loading", threading.current_thread().name))
        return real_model(*args, **kwargs)

    monkeypatch.setattr(faster_whisper, "WhisperModel", model)
    transcode = STEPS["transcode"]

    def transcode_noted(ctx: StepContext) -> None:
        transcode.run(ctx)
        events.append(("transcode done", threading.current_thread().name))

    monkeypatch.setitem(STEPS, "transcode", dataclasses.replace(transcode, run=transcode_noted))
    talk = synth.talk_audio(["Willkommen zum Labcamp.", "Heute sprechen wir über Prototypen."])
    result = run_cli("--home", str(home), "ingest", str(talk), "--json")
    assert result.exit_code == 0, result.stderr
    loads = [thread for event, thread in events if event == "model loading"]
    # Loaded once, by the warm-up, and begun before the transcode step was done.
    assert loads == ["mediaarchive-warm-transcribe"]
    assert [event for event, _ in events] == ["model loading", "transcode done"]
    # The step used it: the talk is transcribed.
    shown = run_cli("--home", str(home), "search", "sprechen", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout), "the transcript does not hold what was said"


def test_a_model_that_cannot_load_fails_the_step_once_with_its_error(
    home: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(transcriber, "_MODELS", {})
    missing = home / "no-such-model"
    monkeypatch.setenv("MEDIAARCHIVE_MODEL", str(missing))
    talk = synth.talk_audio(["Guten Morgen."])
    result = run_cli("--home", str(home), "ingest", str(talk))
    assert result.exit_code != 0
    # The warm-up met the error too, but only the step reports it, once, without a trace.
    assert result.stderr.count(f"model folder {missing} does not exist") == 1, result.stderr
    assert "Traceback" not in result.stderr
