"""The use cases: one home for every operation the CLI, the web page and the workers share.

Each module is one use case (``ingest``, ``process``, ``transcripts``, ``views``, ``export``,
``fixity``…): plain functions over an ``Archive`` that return plain dataclasses (never ORM
rows) and raise the typed errors of ``mediaarchive.errors``. The edges import from here
only (``Archive``, the handle they build and pass in, is handed out here too). Modules load
on first use, so importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mediaarchive.archive import Archive

__all__ = ["Archive", "demo", "export", "fixity", "ingest", "models", "progress",
           "subtitles", "transcripts", "views"]

#: Names that live below this layer and are handed out as they are.
_REEXPORTED = {"Archive": "mediaarchive.archive"}


def __getattr__(name: str) -> Any:
    if name in _REEXPORTED:
        return getattr(importlib.import_module(_REEXPORTED[name]), name)
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
