"""The download so far: a ``.part`` file in the temp folder, the sha256 of its bytes.

Each chunk is written to the file as it comes and hashed by a helper thread while the next
chunk comes from the network: ``hashlib`` releases the GIL, so on two cores the sha256 costs
hardly any time beside the download. At most ``QUEUED`` chunks wait for the helper, so
memory stays flat whatever the size. Behind the writes the kernel is asked to start writing
the file to disk (``sync_file_range`` on Linux), so the closing fsync finds little left to
write instead of the whole file (about 2 s for 1 GiB on this machine's disk).
"""

from __future__ import annotations

import hashlib
import os
import queue
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from mediaarchive.sources.kinds import HEAD_BYTES

#: Chunks that may wait for the hashing thread (each at most the reader's chunk size).
QUEUED = 4
#: Bytes written between two requests to start writing them to disk.
SYNC_BEHIND = 32 * 1024 * 1024
#: Every how many bytes one is looked at when counting zero bytes in a chunk that is not
#: mostly zero (a full count costs as much as the sha256).
ZERO_SAMPLE = 64
_STOP = None


class PartialFile:
    """A temp file being written: its bytes' sha256, size, first bytes and zero bytes.

    ``write`` writes a chunk (an ``OSError`` such as a full disk comes from there) and hands
    it to the hashing thread; ``sha256`` and ``zero_bytes`` wait for that thread.
    """

    def __init__(self, dest_dir: Path, prefix: str = "fetch-") -> None:
        dest_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=dest_dir, prefix=prefix, suffix=".part")
        self.path = Path(name)
        self.handle = os.fdopen(fd, "wb")
        self._digest = hashlib.sha256()
        self.head = b""
        self.size = 0
        self._zero_bytes = 0
        self.etag: str | None = None
        self._synced_to = 0
        self._error: BaseException | None = None
        self._chunks: queue.Queue[bytes | None] = queue.Queue(QUEUED)
        self._thread = threading.Thread(target=self._run, name="fetch-hasher", daemon=True)
        self._thread.start()

    def write(self, chunk: bytes) -> None:
        self.handle.write(chunk)
        self._chunks.put(chunk)
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        self.size += len(chunk)
        if self.size - self._synced_to >= SYNC_BEHIND:
            self.handle.flush()
            _start_writeback(self.handle.fileno(), self._synced_to, self.size)
            self._synced_to = self.size

    def wait(self) -> None:
        """Wait until every chunk written is hashed."""
        self._chunks.join()
        if self._error is not None:
            raise self._error

    @property
    def sha256(self) -> str:
        self.wait()
        return self._digest.hexdigest()

    @property
    def zero_bytes(self) -> int:
        """Zero bytes among ``size``: counted in full in mostly-zero chunks, estimated from
        a sample in the others (enough to tell a sparse or empty file)."""
        self.wait()
        return self._zero_bytes

    def reset(self) -> None:
        """Start again from the first byte (the source ignored the range or changed)."""
        self.wait()
        self.handle.seek(0)
        self.handle.truncate()
        self._digest = hashlib.sha256()
        self.head = b""
        self.size = self._zero_bytes = self._synced_to = 0

    def finish(self) -> None:
        """Sync the file to disk and close it (once every chunk is hashed)."""
        self.wait()
        self._stop()
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()

    def discard(self) -> None:
        """Stop hashing and remove the file (whatever state it is in)."""
        self._stop()
        if not self.handle.closed:
            self.handle.close()
        self.path.unlink(missing_ok=True)

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._chunks.put(_STOP)
            self._thread.join()

    def _run(self) -> None:
        while True:
            chunk = self._chunks.get()
            try:
                if chunk is _STOP:
                    return
                if self._error is None:
                    self._take(chunk)
            except BaseException as exc:  # noqa: BLE001 - raised in the downloading thread
                self._error = exc
            finally:
                self._chunks.task_done()

    def _take(self, chunk: bytes) -> None:
        self._digest.update(chunk)
        self._zero_bytes += _zero_bytes(chunk)


def _zero_bytes(chunk: bytes) -> int:
    sample = chunk[::ZERO_SAMPLE]
    zeros = sample.count(0)
    if zeros * 2 < len(sample):
        return zeros * len(chunk) // max(1, len(sample))
    return chunk.count(0)


@lru_cache(maxsize=1)
def _sync_file_range() -> Any:
    """libc's ``sync_file_range`` (Linux), else None."""
    import ctypes  # only here: few processes write large files

    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError, TypeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
    return function


#: ``SYNC_FILE_RANGE_WRITE``: start writing dirty pages of the range, do not wait.
_WRITE = 2


def _start_writeback(fd: int, start: int, end: int) -> None:
    """Ask the kernel to start writing ``start:end`` of the file to disk, without waiting
    (a hint: errors are ignored, the closing fsync is what makes the bytes safe)."""
    function = _sync_file_range()
    if function is not None:
        function(fd, start, end - start, _WRITE)
