"""Folders for the files a job is making, removed when it ends or when it was interrupted."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from mediaarchive.archive import Archive
from mediaarchive.store.owners import owner_token


def job_workdir(archive: Archive, job_id: int) -> Path:
    """A fresh folder for the files a job makes, on the store's disk when it is local."""
    temp_dir = getattr(archive.store, "temp_dir", None)
    base = Path(temp_dir()) if callable(temp_dir) else archive.settings.home / "tmp"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"job-{job_id}-{owner_token()}-", dir=base))


def remove_workdirs(archive: Archive, job_id: int) -> int:
    removed = 0
    temp_dir = getattr(archive.store, "temp_dir", None)
    bases = [archive.settings.home / "tmp"]
    if callable(temp_dir):
        bases.insert(0, Path(temp_dir()))
    for base in bases:
        if base.is_dir():
            for path in base.glob(f"job-{job_id}-*"):
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
    return removed
