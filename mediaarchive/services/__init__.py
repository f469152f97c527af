"""The use cases: one home for every operation the CLI, the web page and the workers share.

Each module is one use case (``ingest``, ``process``, ``transcripts``, ``views``, ``export``,
``fixity``…): plain functions over an ``Archive`` that return plain dataclasses (never ORM
rows) and raise the typed errors of ``mediaarchive.errors``. The edges import from here
only: the use-case modules, and ``Archive`` (the handle they build and pass in), its asset
look-up ``find_asset`` and the ``Store`` type. Everything loads on first use, so importing
this package stays cheap (``import mediaarchive.cli`` must not pull in numpy or boto3).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mediaarchive.archive import Archive, find_asset
    from mediaarchive.store import Store

__all__ = [
    "Archive",
    "accounts",
    "audience",
    "backup",
    "Store",
    "deletion",
    "demo",
    "dispatch",
    "editing",
    "event_views",
    "export",
    "find_asset",
    "fixity",
    "history",
    "ingest",
    "listing",
    "media",
    "models",
    "pages",
    "permitted",
    "process",
    "progress",
    "repair",
    "recording",
    "housekeeping",
    "replace",
    "review",
    "revision_views",
    "revisions",
    "search",
    "serving",
    "sources",
    "status",
    "subtitles",
    "timed_text",
    "transcripts",
    "views",
    "withdrawal",
]

#: Names that live below this layer and are handed out as they are.
_REEXPORTS = {
    "Archive": "mediaarchive.archive",
    "find_asset": "mediaarchive.archive",
    "Store": "mediaarchive.store",
}


def __getattr__(name: str) -> Any:
    if name in _REEXPORTS:
        return getattr(importlib.import_module(_REEXPORTS[name]), name)
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
