"""The archive store in a local folder (the default), blobs under ``sha256/ab/cd/<sha256>``.

A blob is written to the store's ``tmp`` folder, synced and renamed into place, so it appears
only when complete. Originals are never modified: a blob, once written, is only read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from mediaarchive.errors import StoreError
from mediaarchive.store.base import Blob, blob_key, check_file, damaged, hash_file
from mediaarchive.store.owners import owner_token, remove_stale


class LocalStore:
    """Blobs in a local folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.uri = str(self.root)
        self.tmp = self.root / "tmp"

    def _path(self, key: str) -> Path:
        return self.root / key

    def temp_dir(self) -> Path:
        """A folder on the store's filesystem for partial downloads (renames stay atomic)."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        return self.tmp

    def put_file(self, path: Path, sha256: str | None = None, *, move: bool = False) -> Blob:
        if sha256 is None:
            sha256, size = hash_file(path)
        else:
            size = path.stat().st_size
        key = blob_key(sha256)
        target = self._path(key)
        if target.exists() and _holds(target, sha256):
            if move:
                Path(path).unlink(missing_ok=True)
            return Blob(key, sha256, size)
        # Not there, or its stored bytes are damaged: these bytes replace them.
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=self.temp_dir(), prefix=f"put-{owner_token()}-")
            os.close(fd)
            tmp = Path(tmp_name)
            if move:
                os.replace(path, tmp)
            else:
                shutil.copyfile(path, tmp)
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
            _fsync_dir(target.parent)
        except OSError as exc:
            raise StoreError(f"cannot write {key} to the store at {self.root}: {exc}") from exc
        return Blob(key, sha256, size)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError as exc:
            raise StoreError(f"blob {key} is missing from the store at {self.root}") from exc

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def delete(self, key: str) -> bool:
        """Remove a blob (a purge); True when it was there."""
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StoreError(f"cannot remove {key} from the store at {self.root}: {exc}") from exc
        _fsync_dir(path.parent)
        return True

    def uri_for(self, key: str) -> str:
        return self._path(key).resolve().as_uri()

    def keys(self) -> Iterator[str]:
        base = self.root / "sha256"
        if not base.exists():
            return
        for path in sorted(base.glob("*/*/*")):
            if path.is_file():
                yield path.relative_to(self.root).as_posix()

    @contextmanager
    def materialize(self, key: str, *, check: bool = False) -> Iterator[Path]:
        path = self._path(key)
        expected = key.rsplit("/", 1)[-1]
        if not path.is_file():
            raise damaged(key, expected, None)
        if check:
            # One read before the tool's own: it then reads from the page cache.
            check_file(path, key, expected)
        yield path

    def clean_temp(self) -> int:
        """Remove partial files and job folders left by processes that are gone (a running
        process's files are kept: their names carry its pid and start time). Returns how
        many."""
        return len(remove_stale(self.tmp))


def _holds(path: Path, sha256: str) -> bool:
    """True when the stored file's bytes still hash to its sha256."""
    try:
        return hash_file(path)[0] == sha256
    except OSError:
        return False


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
