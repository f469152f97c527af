"""Loading a whole SQLite FTS5 index at once (a rebuild): its settings while it loads, and
the rows in batches for ``executemany``."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

__all__ = ["batches", "bulk_load"]

Row = TypeVar("Row")


#: FTS5 settings (``search_fts_config``) while a rebuild loads every document, and after.
#: FTS5 writes its pending terms out as a new segment every ``hashsize`` bytes and merges
#: segments as they pile up: with the defaults a million segments make ~1,000 small
#: segments, merged over and over. In bulk they are flushed every 64 MB and merged once, by
#: the 'optimize' at the end; the index that results is the same.
_BULK_FTS = {"hashsize": 64 << 20, "automerge": 0, "crisismerge": 64}
_DEFAULT_FTS = {"hashsize": 1 << 20, "automerge": 4, "crisismerge": 16}
#: Page cache (KiB) while a rebuild writes: the default 2 MB spills FTS5's segment pages.
_BULK_CACHE_KIB = 256 * 1024


def _set_fts(db: sqlite3.Connection, settings: dict[str, int]) -> None:
    for key, value in settings.items():
        db.execute("INSERT INTO search_fts (search_fts, rank) VALUES (?, ?)", (key, value))


@contextmanager
def bulk_load(db: sqlite3.Connection) -> Iterator[None]:
    """FTS5 and page-cache settings for loading the whole index, restored after."""
    (cache_size,) = db.execute("PRAGMA cache_size").fetchone()
    db.execute(f"PRAGMA cache_size = -{_BULK_CACHE_KIB}")
    _set_fts(db, _BULK_FTS)
    try:
        yield
        _set_fts(db, _DEFAULT_FTS)
    finally:
        db.execute(f"PRAGMA cache_size = {int(cache_size)}")


def batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """``rows`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
