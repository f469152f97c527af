"""The use cases: one home for every operation the CLI, the web page and the workers share.

Each module is one use case (``ingest``, ``process``, ``transcripts``, ``views``, ``export``,
``fixity``…): plain functions over an ``Archive`` that return plain dataclasses (never ORM
rows) and raise the typed errors of ``mediaarchive.errors``. The edges import from here
only: the use-case modules, and ``Archive`` (the handle they all take) and ``find_asset``.
Everything loads on first use, so importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

#: The archive handle and asset look-up, re-exported from ``mediaarchive.archive``.
_FROM_ARCHIVE = ("Archive", "find_asset")

__all__ = ["Archive", "dispatch", "export", "find_asset", "fixity", "ingest", "process",
           "serving", "status", "views"]


def __getattr__(name: str) -> Any:
    if name in _FROM_ARCHIVE:
        return getattr(importlib.import_module("mediaarchive.archive"), name)
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
