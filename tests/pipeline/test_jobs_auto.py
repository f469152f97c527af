"""``--jobs auto``: single-threaded jobs sharing the model's merged calls for a batch (more
jobs than cores), every core for one asset."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from mediaarchive import synth
from mediaarchive.pipeline.runner import JOBS_PER_CORE, auto_budget, auto_jobs
from tests.helpers import run_cli


@pytest.mark.parametrize(
    ("assets", "cores", "expected"),
    [
        (1, 2, (1, 2)),
        (2, 2, (2, 1)),
        (24, 2, (2 * JOBS_PER_CORE, 1)),
        (None, 2, (2 * JOBS_PER_CORE, 1)),
        (3, 4, (3, 1)),
    ],
)
def test_auto_shares_the_cores_out_by_the_number_of_assets(
    assets: int | None, cores: int, expected: tuple[int, int]
) -> None:
    assert auto_budget(assets, cores) == expected
    assert auto_jobs(assets, cores) == expected[0]


def _threads_used(home: Path) -> list[int]:
    listing = json.loads(run_cli("--home", str(home), "status", "--json").stdout)
    threads = []
    for entry in listing:
        shown = json.loads(run_cli("--home", str(home), "show", entry["id"], "--json").stdout)
        threads.append(shown["transcript"]["provenance"]["cpu_threads"])
    return threads


def test_ingest_jobs_auto_gives_one_talk_every_core_and_a_folder_one_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIAARCHIVE_THREADS", "2")
    one, two = tmp_path / "one", tmp_path / "batch"
    two.mkdir()
    shutil.copy(synth.talk_audio(["Guten Morgen."]), two / "a.wav")
    shutil.copy(synth.talk_audio(["Guten Abend."]), two / "b.wav")
    single = run_cli("--home", str(one), "ingest", str(two / "a.wav"), "--jobs", "auto")
    assert single.exit_code == 0, single.stderr
    assert _threads_used(one) == [2]
    batch = run_cli("--home", str(tmp_path / "h2"), "ingest", str(two), "--jobs", "auto")
    assert batch.exit_code == 0, batch.stderr
    assert _threads_used(tmp_path / "h2") == [1, 1]


def test_jobs_must_be_a_number_or_auto(tmp_path: Path) -> None:
    result = run_cli("--home", str(tmp_path / "h"), "run", "--jobs", "many")
    assert result.exit_code == 2
    assert "'many' is not a number of jobs (1 or more) or 'auto'" in result.stderr


def _ffmpeg_children() -> int:
    """ffmpeg processes of this process that are running (not yet reaped ones excluded)."""
    me, running = str(os.getpid()), 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            name = fields[0].split("(", 1)[1]
            state, parent = fields[1].split()[:2]
        except (OSError, IndexError, ValueError):
            continue
        running += parent == me and name == "ffmpeg" and state != "Z"
    return running


def test_a_batch_runs_more_jobs_than_cores_but_computes_on_the_cores_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six clips with ``--jobs auto`` on 2 cores: six jobs side by side, but never more
    than two ffmpeg processes at once (each step but the transcriber holds its job's core;
    the model's calls hold theirs, ``cores``)."""
    monkeypatch.setenv("MEDIAARCHIVE_THREADS", "2")
    folder = tmp_path / "batch"
    folder.mkdir()
    for n, text in enumerate(["Guten Morgen.", "Guten Abend.", "Willkommen.", "Danke schön."]):
        shutil.copy(synth.talk_audio([text]), folder / f"{n}.wav")
    shutil.copy(synth.talk_video(["Hallo zusammen."]), folder / "4.mp4")
    shutil.copy(synth.talk_video(["Bis bald."]), folder / "5.mp4")
    peak, done = [0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _ffmpeg_children())
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        result = run_cli("--home", str(tmp_path / "h"), "ingest", str(folder), "--jobs", "auto")
    finally:
        done.set()
        watcher.join()
    assert result.exit_code == 0, result.stderr
    assert _threads_used(tmp_path / "h") == [1] * 6
    assert 1 <= peak[0] <= 2, f"{peak[0]} ffmpeg processes ran at once on 2 cores"
