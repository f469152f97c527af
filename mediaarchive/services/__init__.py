"""The use cases: one home for every operation the CLI, the web page and the workers share.

Each module is one use case (``ingest``, ``process``, ``transcripts``, ``views``, ``export``,
``fixity``…): plain functions over an ``Archive`` that return plain dataclasses (never ORM
rows) and raise the typed errors of ``mediaarchive.errors``. The edges import from here
only: the use-case modules, and ``Archive`` (the handle they all take) and ``find_asset``.
Everything loads on first use, so importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mediaarchive.archive import Archive, find_asset
    from mediaarchive.store import Store

#: Names the edges need from the layers below (the handle, its look-up, types in signatures),
#: re-exported so that the edges import nothing but services.
_REEXPORTS = {
    "Archive": "mediaarchive.archive",
    "find_asset": "mediaarchive.archive",
    "Store": "mediaarchive.store",
}

#: The use-case modules, one per line.
_MODULES = [
    "dispatch",
    "export",
    "fixity",
    "ingest",
    "process",
    "media",
    "pages",
    "search",
    "serving",
    "status",
    "views",
]

__all__ = sorted([*_REEXPORTS, *_MODULES])


def __getattr__(name: str) -> Any:
    if name in _REEXPORTS:
        return getattr(importlib.import_module(_REEXPORTS[name]), name)
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
