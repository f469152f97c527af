"""What every archive store shares: content-addressed keys, the ``Blob`` record, the protocol."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol

from mediaarchive.errors import DamagedError, StoreError

#: Bytes read at a time where a store copies a stream and hashes it on the way.
CHUNK = 1024 * 1024


def blob_key(sha256: str) -> str:
    """The store key of the blob with this sha256."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def hash_file(path: Path) -> tuple[str, int]:
    """sha256 hex digest and size of a file."""
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
        size = os.fstat(handle.fileno()).st_size
    return digest.hexdigest(), size


def damaged(key: str, expected: str, actual: str | None) -> DamagedError:
    """The error for a blob that is missing (``actual`` None) or whose bytes changed."""
    if actual is None:
        message = f"blob {key} is missing from the store: run 'mediaarchive repair'"
    else:
        message = (
            f"blob {key} is damaged: its bytes are corrupt (sha256 {actual[:12]}…, not "
            f"{expected[:12]}…); run 'mediaarchive repair'"
        )
    return DamagedError(message, key=key, expected=expected, actual=actual)


def check_file(path: Path, key: str, expected: str) -> None:
    """Check a file's bytes against the sha256 it must have.

    Raises:
        DamagedError: they do not match.
    """
    actual, _size = hash_file(path)
    if actual != expected:
        raise damaged(key, expected, actual)


class HashingReader:
    """Reads a blob and hashes the bytes on their way through; at the end of the bytes the
    sha256 must be the expected one (a full read is checked in the same pass).

    Raises (from ``read`` at the end, or ``check``):
        DamagedError: the bytes do not hash to ``expected``.
    """

    def __init__(self, handle: BinaryIO, key: str, expected: str) -> None:
        self.handle = handle
        self.key = key
        self.expected = expected
        self.digest = hashlib.sha256()
        self.size = 0
        self.checked = False

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        if chunk:
            self.digest.update(chunk)
            self.size += len(chunk)
        elif size != 0:
            self.check()
        return chunk

    def check(self) -> None:
        """Read what is left (nothing after a full read) and compare the digests."""
        if self.checked:
            return
        while chunk := self.handle.read(CHUNK):
            self.digest.update(chunk)
            self.size += len(chunk)
        self.checked = True
        actual = self.digest.hexdigest()
        if actual != self.expected:
            raise damaged(self.key, self.expected, actual)

    def close(self) -> None:
        self.handle.close()

    def __enter__(self) -> HashingReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_checked(store: Store, key: str, expected: str) -> HashingReader:
    """The blob for one full read that checks its sha256 on the way.

    Raises:
        DamagedError: the blob is missing (at once) or its bytes do not match (at the end).
    """
    if not store.exists(key):
        raise damaged(key, expected, None)
    try:
        return HashingReader(store.open(key), key, expected)
    except StoreError as exc:
        if not store.exists(key):
            raise damaged(key, expected, None) from exc
        raise


@dataclass(frozen=True)
class Blob:
    """A stored blob."""

    key: str
    sha256: str
    size: int


class Store(Protocol):
    """What every archive store offers."""

    uri: str

    def put_file(self, path: Path, sha256: str | None = None, *, move: bool = False) -> Blob:
        """Store a file's bytes under their sha256 (no-op if already there)."""

    def exists(self, key: str) -> bool: ...

    def open(self, key: str) -> BinaryIO: ...

    def local_path(self, key: str) -> Path | None:
        """The blob's path when it is a local file, else None."""

    def uri_for(self, key: str) -> str: ...

    def delete(self, key: str) -> bool:
        """Remove the blob (a purge); True when it was there."""

    def keys(self) -> Iterator[str]: ...

    def materialize(self, key: str, *, check: bool = False) -> AbstractContextManager[Path]:
        """A local file with the blob's bytes for as long as the context lasts; with
        ``check`` (a full read follows) the bytes are checked against the key's sha256.

        Raises:
            DamagedError: the blob is missing, or with ``check`` its bytes do not match.
        """

    def temp_dir(self) -> Path:
        """A local folder for partial files before they are put into the store."""

    def clean_temp(self) -> int:
        """Remove partial files left by a killed process. Returns how many."""
