"""Housekeeping at the start of every command: the temp files of processes that are gone.

A download killed half-way leaves ``store/tmp/fetch-….part``; a killed transcode its job
folder. Their names carry the owner's pid and start time, so files of processes still running
(another ingest, a worker) are never touched. Cheap: one folder listing, nothing opened.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from mediaarchive.config import Settings
from mediaarchive.store.owners import remove_stale

__all__ = ["remove_stale_temp", "temp_folders"]


def temp_folders(settings: Settings) -> list[Path]:
    """Where partial files of this archive live (the local store's ``tmp``, the home's)."""
    folders = [settings.home / "tmp"]
    if settings.store_uri.startswith("s3://"):
        folders.append(Path(tempfile.gettempdir()) / "mediaarchive-s3")
    else:
        folders.insert(0, Path(settings.store_uri) / "tmp")
    return folders


def remove_stale_temp(settings: Settings) -> list[Path]:
    """Remove the partial files and job folders whose owner process is gone."""
    removed: list[Path] = []
    for folder in temp_folders(settings):
        removed += remove_stale(folder)
    return removed
