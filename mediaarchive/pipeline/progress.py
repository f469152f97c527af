"""Showing the runner's progress: a bar per running step on a terminal, plain lines otherwise.

Everything goes to stderr, so ``--json`` output on stdout stays one clean document.
"""

from __future__ import annotations

import sys
import threading
from typing import IO, Any, Protocol


class Reporter(Protocol):
    """What the runner tells whoever watches it. Called from several threads."""

    def step_started(self, job_id: int, asset: str, step: str) -> None: ...

    def step_progress(self, job_id: int, done: float, total: float, unit: str) -> None: ...

    def step_finished(
        self,
        job_id: int,
        asset: str,
        step: str,
        state: str,
        seconds: float | None,
        error: str | None,
    ) -> None: ...

    def message(self, text: str) -> None: ...


class NullReporter:
    """Reports nothing (library use, tests)."""

    def step_started(self, job_id: int, asset: str, step: str) -> None:
        return None

    def step_progress(self, job_id: int, done: float, total: float, unit: str) -> None:
        return None

    def step_finished(
        self,
        job_id: int,
        asset: str,
        step: str,
        state: str,
        seconds: float | None,
        error: str | None,
    ) -> None:
        return None

    def message(self, text: str) -> None:
        return None


def _outcome(state: str, seconds: float | None, error: str | None) -> str:
    took = f" in {seconds:.1f}s" if seconds is not None else ""
    if state == "failed":
        return f"failed{took}: {error}"
    if state == "queued":
        return f"will be retried{took}: {error}"
    if state == "skipped":
        return f"skipped{': ' + error if error else ''}"
    return f"{state}{took}"


class PlainReporter:
    """One line per start and end, and every 25 % of a long step: fine for logs and pipes."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self._lock = threading.Lock()
        self._names: dict[int, str] = {}
        self._shown: dict[int, int] = {}

    def _write(self, line: str) -> None:
        with self._lock:
            print(line, file=self.stream, flush=True)

    def step_started(self, job_id: int, asset: str, step: str) -> None:
        self._names[job_id] = f"{asset} {step}"
        self._shown[job_id] = 0
        self._write(f"{asset} {step}: started")

    def step_progress(self, job_id: int, done: float, total: float, unit: str) -> None:
        if total <= 0 or job_id not in self._names:
            return
        quarter = int(4 * done / total)
        if 0 < quarter < 4 and quarter > self._shown.get(job_id, 0):
            self._shown[job_id] = quarter
            self._write(f"{self._names[job_id]}: {quarter * 25}%")

    def step_finished(
        self,
        job_id: int,
        asset: str,
        step: str,
        state: str,
        seconds: float | None,
        error: str | None,
    ) -> None:
        self._names.pop(job_id, None)
        self._shown.pop(job_id, None)
        self._write(f"{asset} {step}: {_outcome(state, seconds, error)}")

    def message(self, text: str) -> None:
        self._write(text)


class RichReporter:
    """A rich progress bar per running step; finished steps leave one line above the bars."""

    def __init__(self, console: Any = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = console or Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self._tasks: dict[int, int] = {}
        self._started = False
        self._lock = threading.Lock()

    def _ensure_started(self) -> None:
        with self._lock:
            if not self._started:
                self.progress.start()
                self._started = True

    def step_started(self, job_id: int, asset: str, step: str) -> None:
        self._ensure_started()
        self._tasks[job_id] = self.progress.add_task(f"{asset} {step}", total=None)

    def step_progress(self, job_id: int, done: float, total: float, unit: str) -> None:
        task = self._tasks.get(job_id)
        if task is not None:
            self.progress.update(task, completed=done, total=total or None)

    def step_finished(
        self,
        job_id: int,
        asset: str,
        step: str,
        state: str,
        seconds: float | None,
        error: str | None,
    ) -> None:
        task = self._tasks.pop(job_id, None)
        if task is not None:
            self.progress.remove_task(task)
        from rich.markup import escape

        colour = {"done": "green", "failed": "red", "skipped": "dim"}.get(state, "yellow")
        outcome = escape(_outcome(state, seconds, error))
        self.console.print(f"{asset} {step}: [{colour}]{outcome}[/]", highlight=False)

    def message(self, text: str) -> None:
        self.console.print(text, highlight=False, markup=False)

    def close(self) -> None:
        with self._lock:
            if self._started:
                self.progress.stop()
                self._started = False


def make_reporter(stream: IO[str] | None = None) -> PlainReporter | RichReporter:
    """Bars when stderr is a terminal, plain lines otherwise."""
    target = stream or sys.stderr
    if target.isatty():
        return RichReporter()
    return PlainReporter(target)
