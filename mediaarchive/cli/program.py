"""The ``mediaarchive`` program (the console script and ``python -m mediaarchive``): the
commands of ``base.main``, then an exit without the interpreter's teardown.

After a command, Python tears the interpreter down: it clears every module and runs the
garbage collector over what is left, several times. After an ingest that loaded the speech
model that took 0.67 s (measured with perf: 60 % of it the collector walking the same
objects again), about 3 % of a two-minute talk's ingest, for nothing: the command has
finished, its files are closed and its database work committed (``main`` closes the archive
when the command ends). So when no thread of ours is still running, the program runs the
exit handlers (``atexit``: logging's flush among them), flushes stdout and stderr and ends
the process there. With a thread still running, an exit status that is a message, or a
profiler or coverage tracer watching (they write their files at the ordinary exit), it
exits the ordinary way.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

from mediaarchive.cli.base import main

__all__ = ["run"]


def run() -> None:
    """Run ``main`` with the process's arguments and exit with its status."""
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    watched = sys.getprofile() is not None or sys.gettrace() is not None  # cProfile, coverage
    if not isinstance(code, int) or any(not t.daemon for t in others) or watched:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe ("| head"): nothing more to say
            pass
    os._exit(code)
