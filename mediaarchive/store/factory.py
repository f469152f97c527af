"""The store for a URI: a local folder, or an S3 bucket (whose code loads only then)."""

from __future__ import annotations

from pathlib import Path

from mediaarchive.store.base import Store
from mediaarchive.store.local import LocalStore


def open_store(uri: str, *, endpoint_url: str | None = None) -> Store:
    """The store for a URI: a folder path, or ``s3://bucket/prefix``."""
    if uri.startswith("s3://"):
        from mediaarchive.store.s3 import S3Store

        return S3Store(uri, endpoint_url=endpoint_url)
    return LocalStore(Path(uri))
