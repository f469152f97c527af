"""A rebuild's texts analysed in a second process while this one writes the index.

Rebuilding the index of a million segments, SQLite's inserts and ``german.analyse`` take
about as long as each other, and they need not wait for each other: with a second core a
worker process (``serve``) analyses the next batches while
the caller writes this one.

The first ``PARALLEL_AFTER`` texts are analysed here, and so is everything while the
worker is still starting (a new interpreter, the imports, the compound dictionary: about
a second), so a small rebuild never waits for a worker. The worker runs the same
``analyse`` on the same dictionary (it inherits the environment and imports this same
package), so the index is the same either way; batches come back in the order they went
out. If the worker fails, the rest is analysed here.

A plain subprocess, not ``multiprocessing``: its "spawn" re-runs the caller's main
script in the child (a script without a ``__main__`` guard would run twice), and "fork"
copies the caller's threads' locks and database connections.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import select
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TypeVar

from mediaarchive.search.german import analyse

__all__ = ["PARALLEL_AFTER", "Columns", "analyse_texts", "analysed_batches", "serve"]

log = logging.getLogger(__name__)

#: Texts analysed in this process before a worker is started.
PARALLEL_AFTER = 50_000
#: Batches handed to the worker ahead of the one being written (it never waits for work).
AHEAD = 2

#: A text's index columns: folded words, stems, stems of compound parts.
Columns = tuple[str, str, str]
Row = TypeVar("Row")
_READY = "ready"


def analyse_texts(texts: list[str], languages: list[str | None]) -> list[Columns]:
    """``analyse`` each text in its language."""
    return [(a.exact, a.stems, a.parts) for a in map(analyse, texts, languages)]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Worker:
    """The worker process: batches go in through a feeding thread (so neither side can
    block the other on a full pipe), results come back in order."""

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": package_root + (os.pathsep + path if path else "")}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from mediaarchive.search.bulk import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.results: IO[bytes] = self.process.stdout
        self.inbox: queue.SimpleQueue[tuple[list[str], list[str | None]] | None] = (
            queue.SimpleQueue()
        )
        self.feeder = threading.Thread(
            target=self._feed, args=(self.process.stdin,), name="index-worker-feed", daemon=True
        )
        self.feeder.start()
        self.ready = False
        log.debug("index worker started (pid %d)", self.process.pid)

    def _feed(self, stdin: IO[bytes]) -> None:
        try:
            while (batch := self.inbox.get()) is not None:
                pickle.dump(batch, stdin, protocol=pickle.HIGHEST_PROTOCOL)
                stdin.flush()
        except OSError:
            pass  # the worker is gone: reading its results says so
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def wait_ready(self) -> None:
        if not self.ready:
            select.select([self.results], [], [])
            self.poll_ready()

    def poll_ready(self) -> bool:
        """True once the worker has loaded the dictionary (never blocks)."""
        if not self.ready and select.select([self.results], [], [], 0)[0]:
            self.ready = self._read() == _READY
        return self.ready

    def submit(self, texts: list[str], languages: list[str | None]) -> None:
        self.inbox.put((texts, languages))

    def result(self) -> list[Columns]:
        columns = self._read()
        if not isinstance(columns, list):
            raise OSError(f"index worker sent {type(columns).__name__}, not a batch")
        return columns

    def _read(self) -> object:
        try:
            return pickle.load(self.results)
        except (EOFError, pickle.UnpicklingError) as exc:
            raise OSError(f"index worker ended (exit status {self.process.poll()})") from exc

    def close(self) -> None:
        """End the worker (it ends when its input does, or finds no one reading)."""
        self.inbox.put(None)
        self.results.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def analysed_batches(
    batches: Iterable[list[Row]],
    text_of: Callable[[Row], tuple[str, str | None]],
    *,
    parallel_after: int | None = None,
    patient: bool = False,
) -> Iterator[tuple[list[Row], list[Columns]]]:
    """Each batch with its texts' columns (``text_of`` says a row's text and language), in
    order; past ``parallel_after`` rows (default ``PARALLEL_AFTER``), analysed by a worker
    process on a machine with more than one core.

    Args:
        patient: wait for the worker to start instead of analysing here meanwhile.
    """
    if parallel_after is None:
        parallel_after = PARALLEL_AFTER
    worker: _Worker | None = None
    started = False
    # Batches not yet handed out: (batch, texts, languages, sent to the worker).
    waiting: deque[tuple[list[Row], list[str], list[str | None], bool]] = deque()
    seen = 0
    try:
        for batch in batches:
            texts, languages = _unzipped(batch, text_of)
            if not started and seen >= parallel_after and _cores() > 1:
                started = True
                worker = _start_worker()
            seen += len(batch)
            remote = False
            if worker is not None:
                try:
                    if patient:
                        worker.wait_ready()
                    remote = worker.poll_ready()
                except OSError as exc:
                    log.warning("%s: analysing here", exc)
                    worker.close()
                    worker = None
            if remote:
                worker.submit(texts, languages)  # type: ignore[union-attr]
            waiting.append((batch, texts, languages, remote))
            # Keep the worker AHEAD batches busy; what was analysed here goes at once.
            while waiting and (len(waiting) > AHEAD or not waiting[0][3]):
                done, worker = _columns(waiting.popleft(), worker)
                yield done
        while waiting:
            done, worker = _columns(waiting.popleft(), worker)
            yield done
    finally:
        if worker is not None:
            worker.close()


def _start_worker() -> _Worker | None:
    try:
        return _Worker()
    except OSError as exc:
        log.warning("no index worker (%s): analysing here", exc)
        return None


def _columns(
    item: tuple[Row, list[str], list[str | None], bool], worker: _Worker | None
) -> tuple[tuple[Row, list[Columns]], _Worker | None]:
    """The item's batch and columns (from the worker, or analysed here if it was not
    sent or the worker failed), and the worker if it is still there."""
    batch, texts, languages, remote = item
    if remote and worker is not None:
        try:
            return (batch, worker.result()), worker
        except OSError as exc:
            log.warning("%s: analysing the rest here", exc)
            worker.close()
            worker = None
    return (batch, analyse_texts(texts, languages)), worker


def _unzipped(
    batch: list[Row], text_of: Callable[[Row], tuple[str, str | None]]
) -> tuple[list[str], list[str | None]]:
    texts: list[str] = []
    languages: list[str | None] = []
    for text, language in map(text_of, batch):
        texts.append(text)
        languages.append(language)
    return texts, languages


def serve() -> None:
    """The worker: a batch of (texts, languages) in on stdin, its columns out on stdout,
    until stdin ends."""
    requests = sys.stdin.buffer
    # Replies on a copy of stdout; whatever else would print goes to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    analyse("Probe")  # loads the compound dictionary before saying it is ready
    pickle.dump(_READY, replies)
    replies.flush()
    while True:
        try:
            texts, languages = pickle.load(requests)
        except EOFError:
            return
        try:
            pickle.dump(analyse_texts(texts, languages), replies, protocol=pickle.HIGHEST_PROTOCOL)
            replies.flush()
        except BrokenPipeError:
            return  # the caller stopped reading (it failed, or was interrupted)
