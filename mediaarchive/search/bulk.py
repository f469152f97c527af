"""A rebuild's speech rows read and analysed in a second process while this one writes.

Rebuilding the index of a million segments, writing the FTS5 rows and making them (reading
the segments, ``german.analyse``, building the rows) each take about half of the work, and
they need not wait for each other: with a second core a worker process (``serve``) reads
the segments from the database itself and sends back finished FTS5 rows, while this
process writes them, and in the pauses between them whatever else it has to write (the
caller's ``idle``: ``search_docs``, chunk by chunk).

The worker reads through a connection of its own, so it sees what is committed. It is only
used when that is exactly what this process would read: the caller's transaction has
written nothing yet (a rebuild started by ``reindex``), the database is a file in WAL mode
(the writer never blocks the reader), the machine has a second core and there are at
least ``PARALLEL_AFTER`` segments (a worker takes about a second to start). Otherwise, and
if the worker fails, the rows are made here: from the row after the last one written, so
every row is written once, in id order, the same either way (the worker imports this same
package and runs the same ``fts_rows``).

A plain subprocess, not ``multiprocessing``: its "spawn" re-runs the caller's main
script in the child (a script without a ``__main__`` guard would run twice), and "fork"
copies the caller's threads' locks and database connections.
"""

from __future__ import annotations

import fcntl
import logging
import os
import pickle
import queue
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from mediaarchive.search.documents import BLANK, SPEECH_BASE
from mediaarchive.search.german import analyse

__all__ = [
    "PARALLEL_AFTER",
    "SEGMENTS",
    "FtsRow",
    "Owners",
    "SpeechRows",
    "fts_batches",
    "fts_rows",
    "serve",
]

log = logging.getLogger(__name__)

#: Segments from which a worker process makes the rows.
PARALLEL_AFTER = 50_000
#: FTS5 rows per batch (one ``executemany``).
BATCH = 5000
#: Batches read from the worker ahead of the one being written.
AHEAD = 4
#: Bytes the worker's pipe holds (64 KB by default; a batch of rows pickled is ~2 MB).
PIPE_BYTES = 1 << 20

#: A segment's FTS5 row: rowid, the head's three columns (empty), exact, stems, parts, facets.
FtsRow = tuple[int, str, str, str, str, str, str, str]
#: Per transcript whose segments are indexed (each asset's current one): its asset's id,
#: the language its text is analysed in, its facets string and whether the asset is
#: public. A segment of any other transcript is not indexed.
Owners = dict[int, tuple[int, str, str, bool]]
#: The segments, in id order, from the one after a segment id: a scan of the table by
#: rowid (joined to the transcripts in SQL, SQLite sorted a million rows).
SEGMENTS = (
    "SELECT id, text, transcript_id FROM segments WHERE id > ? AND superseded_in IS NULL"
    " ORDER BY id"
)
#: A batch of rows, and how often each folded word occurs in those of public assets (all
#: words are counted by FTS5 itself, at a fifth of the cost of counting them here).
Batch = tuple[list[FtsRow], Counter[str]]


@dataclass(frozen=True)
class SpeechRows:
    """The segments a rebuild indexes (those of ``owners``' transcripts, as ``SEGMENTS``
    selects them), their number, and the database file a worker may read them from (None:
    only this process may)."""

    owners: Owners
    database: str | None
    count: int


def fts_rows(
    rows: Iterable[Sequence[Any]], owners: Owners, size: int | None = None
) -> Iterator[Batch]:
    """The FTS5 rows of these ``SEGMENTS`` rows, in batches of ``size`` (default
    ``BATCH``); a text of only ``BLANK`` is left out."""
    size = size or BATCH
    batch: list[FtsRow] = []
    public: Counter[str] = Counter()
    for segment_id, text, transcript_id in rows:
        owner = owners.get(transcript_id)
        if owner is None or not text or not text.strip(BLANK):
            continue
        _, analysed_language, facet, is_public = owner
        analysed = analyse(text, analysed_language)
        batch.append(
            (
                SPEECH_BASE + segment_id,
                "",
                "",
                "",
                analysed.exact,
                analysed.stems,
                analysed.parts,
                facet,
            )
        )
        if is_public and analysed.exact:
            public.update(analysed.exact.split())
        if len(batch) >= size:
            yield batch, public
            batch, public = [], Counter()
    if batch:
        yield batch, public


def fts_batches(
    rows: SpeechRows,
    local: sqlite3.Connection,
    public: Counter[str],
    *,
    parallel: bool = True,
    idle: Callable[[], bool] = lambda: False,
) -> Iterator[list[FtsRow]]:
    """The FTS5 rows of ``rows`` in batches, in id order: from a worker process when it
    can (see the module docstring), else read through ``local`` and made here. The folded
    words of public assets' rows are counted into ``public``.

    Args:
        parallel: a worker may make them (False: always here).
        idle: called while the worker's next batch is not there yet; returns False when it
            has nothing (left) to do, and the wait blocks.
    """
    worker = None
    if parallel and rows.database and rows.count >= PARALLEL_AFTER and _cores() > 1:
        worker = _start_worker(rows)
    after = 0
    if worker is not None:
        try:
            while (batch := _from_worker(worker, idle)) is not None:
                fts, counts = batch
                public.update(counts)
                after = fts[-1][0] - SPEECH_BASE
                yield fts
        finally:
            worker.close()
        if not worker.failed:
            return
    yield from _here(rows, local, public, after)


def _from_worker(worker: _Worker, idle: Callable[[], bool]) -> Batch | None:
    """The worker's next batch; None when it has sent them all, or failed (``failed``: the
    rest is then made here, from the last row written)."""
    try:
        while not worker.has_reply() and idle():
            pass
        return worker.next()
    except OSError as exc:
        log.warning("%s: making the rest of the index rows here", exc)
        return None


def _here(
    rows: SpeechRows, local: sqlite3.Connection, public: Counter[str], after: int
) -> Iterator[list[FtsRow]]:
    for fts, counts in fts_rows(local.execute(SEGMENTS, (after,)), rows.owners):
        public.update(counts)
        yield fts


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Worker:
    """The worker process: the request goes in through a thread (so a large one cannot
    block this process while the worker starts); batches come back in order, read from the
    pipe by another thread as soon as they arrive (so the worker is not held up while this
    process writes a batch), up to ``AHEAD`` of them."""

    def __init__(self, request: tuple[str, Owners, int]) -> None:
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
        _widen(self.results)
        self.failed = False
        self.feeder = threading.Thread(
            target=self._send,
            args=(self.process.stdin, request),
            name="index-worker-request",
            daemon=True,
        )
        self.feeder.start()
        self.replies: queue.Queue[Batch | OSError | None] = queue.Queue(maxsize=AHEAD)
        self.reader = threading.Thread(
            target=self._receive, name="index-worker-replies", daemon=True
        )
        self.reader.start()
        log.debug("index worker started (pid %d)", self.process.pid)

    @staticmethod
    def _send(stdin: IO[bytes], request: object) -> None:
        try:
            pickle.dump(request, stdin, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            pass  # the worker is gone: reading its results says so
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def _receive(self) -> None:
        """The reading thread: each reply into ``replies``, until None or a failure."""
        while True:
            try:
                reply = pickle.load(self.results)
            except Exception as exc:  # noqa: BLE001
                # Any failure (EOF, a broken pipe, a torn batch) ends the worker's part:
                # the writer is never left waiting for a batch that cannot come.
                self.replies.put(OSError(f"index worker ended ({exc or type(exc).__name__})"))
                return
            if reply is not None and not isinstance(reply, tuple):
                self.replies.put(OSError(f"index worker sent {type(reply).__name__}"))
                return
            self.replies.put(reply)
            if reply is None:
                return

    def has_reply(self) -> bool:
        """True when the next batch is here (never blocks)."""
        return not self.replies.empty()

    def next(self) -> Batch | None:
        reply = self.replies.get()
        if isinstance(reply, OSError):
            self.failed = True
            raise reply
        return reply

    def close(self) -> None:
        """End the worker (it has ended, or is not needed any more) and its reader."""
        if self.process.poll() is None and self.reader.is_alive():
            self.process.kill()  # stopped early: the rest of its rows are not needed
        while self.reader.is_alive():  # let the reader reach the end of the pipe
            try:
                self.replies.get(timeout=0.1)
            except queue.Empty:
                pass
        self.results.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _widen(pipe: IO[bytes]) -> None:
    """Let the pipe hold ``PIPE_BYTES`` (fewer system calls and waits for a 2 MB batch)."""
    try:
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (AttributeError, OSError):  # not Linux, or above the system's limit
        pass


def _start_worker(rows: SpeechRows) -> _Worker | None:
    assert rows.database is not None
    try:
        return _Worker((rows.database, rows.owners, BATCH))
    except OSError as exc:
        log.warning("no index worker (%s): making the index rows here", exc)
        return None


def serve() -> None:
    """The worker: a request ``(database file, owners, batch size)`` in on stdin, the
    batches of ``fts_rows`` out on stdout, then None."""
    requests = sys.stdin.buffer
    # Replies on a copy of stdout; whatever else would print goes to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    database, owners, size = pickle.load(requests)
    db = sqlite3.connect(database, timeout=30)
    db.execute("PRAGMA query_only = 1")
    try:
        for batch in fts_rows(db.execute(SEGMENTS, (0,)), owners, size):
            pickle.dump(batch, replies, protocol=pickle.HIGHEST_PROTOCOL)
            replies.flush()
        pickle.dump(None, replies)
        replies.flush()
    except BrokenPipeError:
        return  # the caller stopped reading (it failed, or was interrupted)
    finally:
        db.close()
