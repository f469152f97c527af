"""The cores this process keeps busy at once: the thread budget, held while computing.

``--jobs auto`` runs more job threads than cores on a batch (their model calls are merged,
``asr.merging``). What computes is still budgeted to the cores: each step that is not the
transcriber holds its job's threads while it runs (ffmpeg, tesseract, the index), and each
call of the speech model holds the threads of the worker that runs it. Job threads that
wait (for a merged call, for the database) hold nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["CORES", "CoreBudget"]


class CoreBudget:
    """At most ``total`` threads' work at once; no limit until ``configure`` sets one."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._total: int | None = None
        self._used = 0

    def configure(self, total: int) -> None:
        """The cores this process may keep busy (the runner's thread budget)."""
        with self._lock:
            self._total = max(1, total)
            self._lock.notify_all()

    @property
    def used(self) -> int:
        return self._used

    @contextmanager
    def hold(self, threads: int) -> Iterator[None]:
        """Wait until ``threads`` cores are free, keep them while the block runs. All at
        once or none, so two holders never wait on each other."""
        with self._lock:
            if self._total is None:
                wanted = 0
            else:
                wanted = max(1, min(threads, self._total))
                while self._used + wanted > self._total:
                    self._lock.wait()
                self._used += wanted
        try:
            yield
        finally:
            if wanted:
                with self._lock:
                    self._used -= wanted
                    self._lock.notify_all()


#: The process's budget.
CORES = CoreBudget()
