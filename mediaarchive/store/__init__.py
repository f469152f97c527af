"""The archive store: content-addressed blobs (``sha256/ab/cd/<sha256>``), never modified.

A local folder by default (``LocalStore``); an S3 bucket with ``s3://bucket/prefix``
(``S3Store``). ``open_store`` picks one for a URI. The S3 names load on first use, so
importing this package does not pull in boto3.
"""

from __future__ import annotations

import importlib
from typing import Any

from mediaarchive.store.base import (
    Blob,
    HashingReader,
    Store,
    blob_key,
    check_file,
    hash_file,
    open_checked,
)
from mediaarchive.store.factory import open_store
from mediaarchive.store.local import LocalStore

_S3_NAMES = ("DEFAULT_PART_SIZE", "MIN_PART_SIZE", "S3Store", "parse_s3_uri")

__all__ = [
    "Blob",
    "DEFAULT_PART_SIZE",
    "HashingReader",
    "LocalStore",
    "MIN_PART_SIZE",
    "S3Store",
    "Store",
    "blob_key",
    "check_file",
    "hash_file",
    "open_checked",
    "open_store",
    "parse_s3_uri",
]


def __getattr__(name: str) -> Any:
    if name in _S3_NAMES:
        return getattr(importlib.import_module("mediaarchive.store.s3"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
