"""The ``mediaarchive`` program as a shell runs it: exit codes, complete output, and the
quick exit that skips the interpreter's teardown (``cli.program``) without losing anything
that exit handlers or running threads still had to do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _program(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mediaarchive", *args]
    if code is not None:
        command = [sys.executable, "-c", code, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_exit_codes_and_output_of_the_program(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    listing = _program("--home", home, "status", "--json")
    assert listing.returncode == 0, listing.stderr
    assert json.loads(listing.stdout) == []  # stdout complete when the process ends

    missing = _program("--home", home, "ingest", str(tmp_path / "nowhere.wav"))
    assert missing.returncode == 1
    errors = [line for line in missing.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "nowhere.wav" in errors[0], missing.stderr

    assert _program("--home", home, "no-such-command").returncode == 2

    helped = _program("--help")
    assert helped.returncode == 0
    assert "worker" in helped.stdout.split("Commands:")[1]  # the whole list, to its end


def test_exit_handlers_run_and_running_threads_finish(tmp_path: Path) -> None:
    # What the quick exit must not skip: a handler registered with atexit (logging's flush
    # is one) and a thread that is still writing when the command returns.
    handler, thread = tmp_path / "handler.txt", tmp_path / "thread.txt"
    code = (
        "import atexit, sys, threading, time\n"
        "from pathlib import Path\n"
        "from mediaarchive.cli import run\n"
        f"atexit.register(lambda: Path({str(handler)!r}).write_text('ran'))\n"
        "def late():\n"
        "    time.sleep(1.0)\n"
        f"    Path({str(thread)!r}).write_text('finished')\n"
        "threading.Thread(target=late).start()\n"
        "sys.argv = ['mediaarchive', *sys.argv[1:]]\n"
        "run()\n"
    )
    result = _program("--home", str(tmp_path / "home"), "status", code=code)
    assert result.returncode == 0, result.stderr
    assert handler.read_text() == "ran"
    assert thread.read_text() == "finished"

    # Without a thread of ours: the quick exit, handlers still run, status kept.
    code = code.replace("threading.Thread(target=late).start()\n", "")
    result = _program("--home", str(tmp_path / "home"), "no-such-command", code=code)
    assert result.returncode == 2
    handler.unlink()
    result = _program("--home", str(tmp_path / "home"), "status", code=code)
    assert result.returncode == 0 and handler.read_text() == "ran"


def test_a_profiler_still_writes_its_file(tmp_path: Path) -> None:
    # cProfile and coverage write what they measured when the interpreter exits the
    # ordinary way: the quick exit steps aside while one is watching.
    stats = tmp_path / "help.prof"
    result = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "mediaarchive", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert stats.stat().st_size > 0
