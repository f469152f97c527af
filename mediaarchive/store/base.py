"""What every archive store shares: content-addressed keys, the ``Blob`` record, the protocol."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

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

    def keys(self) -> Iterator[str]: ...

    def materialize(self, key: str) -> AbstractContextManager[Path]:
        """A local file with the blob's bytes for as long as the context lasts."""

    def temp_dir(self) -> Path:
        """A local folder for partial files before they are put into the store."""

    def clean_temp(self) -> int:
        """Remove partial files left by a killed process. Returns how many."""
