"""kill -9 at seeded random moments of a 3-asset ingest (fetch phase included) and of the
`run`s that resume it; after each trial a last `run` must leave the archive whole.

Invariants after each trial: every asset done with every step done or skipped, one
transcript each, no segment twice, no temp file, `verify` exit 0, every asset found by a
search word. The moments are random but seeded (the same on every run); the trial's
kills are counted by phase (fetching, processing, already finished) and printed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from mediaarchive import synth
from tests.fixtures.sources import FlakyServer
from tests.helpers import cli_command

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("fast_retries")]

SEED = 16
TRIALS = 3
KILLS_PER_TRIAL = 10  # the ingest (or again, until it recorded its sources), then `run`s: 30
#: File name (the title and the search word) -> what is said (3-5 s each).
CLIPS = {
    "eroeffnung.wav": "Willkommen zum Labcamp. Wir testen Prototypen.",
    "keynote.wav": "Offene Daten helfen der Stadt und den Menschen.",
    "podium.wav": "Im Stadtlabor arbeiten alle gemeinsam an Ideen.",
}


@pytest.fixture(scope="module")
def clips() -> dict[str, bytes]:
    return {name: synth.speech_wav(text).read_bytes() for name, text in CLIPS.items()}


def _query(home: Path, sql: str) -> list[tuple]:
    database = home / "archive.db"
    if not database.exists():
        return []
    try:
        with closing(sqlite3.connect(database, timeout=30)) as db:
            return db.execute(sql).fetchall()
    except sqlite3.OperationalError:  # no table yet: killed before the first migration
        return []


def _phase(home: Path) -> str:
    """Where the kill landed, from what the archive says."""
    states = [state for (state,) in _query(home, "SELECT state FROM sources")]
    if len(states) < len(CLIPS):
        return "before recording"  # starting, reading the links: nothing accepted yet
    if "pending" in states:
        return "fetching"
    jobs = [state for (state,) in _query(home, "SELECT state FROM jobs")]
    if any(state != "done" and state != "skipped" for state in jobs):
        return "processing"
    return "finished"


def _start(home: Path, args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        cli_command("--home", str(home), *args),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MEDIAARCHIVE_THREADS": "1"},
    )


def _check(home: Path, trial: int) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            cli_command("--home", str(home), *args), capture_output=True, text=True, timeout=600
        )

    final = cli("run")
    assert final.returncode == 0, f"trial {trial}: {final.stderr}"
    status = json.loads(cli("status", "--json").stdout)
    assert sorted(a["title"] for a in status) == sorted(CLIPS), trial
    for asset in status:
        assert asset["state"] == "done", (trial, asset)
        assert all(s["state"] in ("done", "skipped") for s in asset["steps"]), (trial, asset)
    transcripts = Counter(asset for (asset,) in _query(home, "SELECT asset_id FROM transcripts"))
    assert sorted(transcripts.values()) == [1, 1, 1], (trial, transcripts)
    segments = _query(home, "SELECT transcript_id, start, end, text FROM segments")
    assert segments and len(segments) == len(set(segments)), (trial, "a segment twice")
    assert list((home / "store" / "tmp").glob("*")) == [], (trial, "a temp file is left")
    verify = cli("verify")
    assert verify.returncode == 0, (trial, verify.stderr)
    for name in CLIPS:
        word = name.removesuffix(".wav")
        hits = json.loads(cli("search", word, "--json").stdout)
        assert any(hit["title"] == name for hit in hits), (trial, word)


def test_kill_at_random_moments_then_run(tmp_path: Path, clips: dict[str, bytes]) -> None:
    server = FlakyServer().start()
    try:
        links = [server.add(f"/labcamp/{name}", data, "audio/wav") for name, data in clips.items()]
        # How long an uninterrupted ingest takes on this machine
        # (and when its fetch phase ends), so the kills fall within it on any machine.
        baseline = tmp_path / "baseline"
        started = time.monotonic()
        whole = _start(baseline, ["ingest", *links])
        fetched = None
        while whole.poll() is None:
            if fetched is None and _phase(baseline) not in ("before recording", "fetching"):
                fetched = time.monotonic() - started
            time.sleep(0.05)
        span = time.monotonic() - started
        assert whole.returncode == 0
        fetched = fetched or span

        rng = random.Random(SEED)
        phases: Counter = Counter()
        for trial in range(TRIALS):
            home = tmp_path / f"trial{trial}"
            # One clip's server stalls mid-download until the server stops (fetching 3
            # small files is otherwise over in an instant): a kill lands in the fetch phase.
            server.fail(f"/labcamp/{rng.choice(sorted(clips))}", "stall")
            for kill in range(KILLS_PER_TRIAL):
                # The ingest around its fetch phase; each `run` within a slice of the whole,
                # so the resumed runs move on through the pipeline and the kills with them.
                upper = 1.5 * fetched if kill == 0 else 2 * span / KILLS_PER_TRIAL
                moment = rng.uniform(0.0, upper)
                # Until the ingest has recorded its sources the user runs it again; then `run`.
                recorded = len(_query(home, "SELECT id FROM sources")) == len(CLIPS)
                process = _start(home, ["run"] if recorded else ["ingest", *links])
                try:
                    process.wait(timeout=moment)
                    phases["after it ended"] += 1
                except subprocess.TimeoutExpired:
                    process.send_signal(signal.SIGKILL)
                    process.wait(timeout=60)
                    phases[_phase(home)] += 1
            if len(_query(home, "SELECT id FROM sources")) < len(CLIPS):
                _start(home, ["ingest", *links, "--no-process"]).wait(timeout=600)
            _check(home, trial)
        print(
            f"kills by phase: {dict(phases)} over {TRIALS} trials "
            f"(ingest {span:.1f}s, its fetch phase {fetched:.1f}s)"
        )
        assert sum(phases.values()) == TRIALS * KILLS_PER_TRIAL
        assert phases["fetching"] >= 1, phases  # the fetch phase was hit at least once
    finally:
        server.stop()
