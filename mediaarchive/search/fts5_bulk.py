"""Loading a whole SQLite FTS5 index at once (a rebuild): its settings while it loads, the
facets every row carries, and the speech documents' ``search_docs`` rows written in SQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from mediaarchive.search.bulk import Owners, SpeechRows
from mediaarchive.search.documents import BLANK, SPEECH_BASE, AssetFacts, current_transcripts
from mediaarchive.search.german import language_token
from mediaarchive.vocabulary import HitSource

__all__ = ["SpeechDocs", "bulk_load", "facet_string", "speech_rows"]

#: FTS5 settings (``search_fts_config``) while a rebuild loads every document, and after.
#: FTS5 writes its pending terms out as a new segment every ``hashsize`` bytes and merges
#: segments as they pile up: with the defaults a million segments make ~1,000 small
#: segments, merged over and over. In bulk they are flushed every 64 MB and merged once, by
#: the 'optimize' at the end; the index that results is the same.
_BULK_FTS = {"hashsize": 64 << 20, "automerge": 0, "crisismerge": 64}
_DEFAULT_FTS = {"hashsize": 1 << 20, "automerge": 4, "crisismerge": 16}
#: Page cache (KiB) while a rebuild writes: the default 2 MB spills FTS5's segment pages.
_BULK_CACHE_KIB = 256 * 1024
#: Segment ids whose ``search_docs`` rows one statement writes.
DOCS_CHUNK = 5_000


def facet_string(
    asset_id: int, kind: str, source: str, language: str | None, event_ids: Iterable[int]
) -> str:
    """The facets column of a document: ``asN kindK srcS evN… langL``."""
    tokens = [f"as{asset_id}", f"kind{kind}", f"src{source}"]
    tokens += [f"ev{event_id}" for event_id in event_ids]
    if language:
        tokens.append(f"lang{language_token(language)}")
    return " ".join(tokens)


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


def speech_rows(
    session: Session, db: sqlite3.Connection, facts: dict[int, AssetFacts]
) -> SpeechRows:
    """Every current segment to index, for ``bulk``: each current transcript's owner and
    facets, and the database file a worker may read the segments from (a file in WAL
    mode)."""
    owners: Owners = {}
    for transcript_id, asset_id, language in current_transcripts(session):
        fact = facts.get(asset_id)
        if fact is None:
            continue
        analysed = language or fact.language or ""
        owners[transcript_id] = (
            asset_id,
            analysed,
            facet_string(asset_id, fact.kind, HitSource.SPEECH, analysed, fact.event_ids),
            fact.public,
        )
    database = next(
        (file for _, name, file in db.execute("PRAGMA database_list") if name == "main"), ""
    )
    (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    (count,) = db.execute("SELECT count(*) FROM segments").fetchone()
    return SpeechRows(
        owners=owners,
        database=database if database and str(mode).lower() == "wal" else None,
        count=count,
    )


#: ``search_docs`` rows of a chunk of ``bulk.SEGMENTS`` (CROSS JOIN: the segments' id range
#: is the outer loop, each one's transcript looked up in the temporary owners table).
_DOCS = (
    'INSERT INTO search_docs (rowid, asset_id, source, start, "end", head, text, facets,'
    " public_asset) SELECT ? + s.id, o.asset_id, ?, s.start, s.\"end\", '', s.text, o.facets,"
    " o.public FROM segments AS s CROSS JOIN temp.speech_owners AS o"
    " WHERE o.transcript_id = s.transcript_id AND s.id > ? AND s.id <= ?"
    " AND s.superseded_in IS NULL AND trim(s.text, ?) != ''"
)


class SpeechDocs:
    """The ``search_docs`` rows of every segment ``bulk`` indexes (the same segments: the
    same owners, the same ``BLANK`` texts left out), written in SQL a chunk of segment ids
    at a time, so a rebuild can write them while it waits for FTS5 rows."""

    def __init__(self, db: sqlite3.Connection, owners: Owners) -> None:
        self.db = db
        db.execute("DROP TABLE IF EXISTS temp.speech_owners")
        db.execute(
            "CREATE TEMP TABLE speech_owners (transcript_id INTEGER PRIMARY KEY,"
            " asset_id INTEGER NOT NULL, facets TEXT NOT NULL, public INTEGER NOT NULL)"
        )
        db.executemany(
            "INSERT INTO temp.speech_owners VALUES (?, ?, ?, ?)",
            [(t, a, f, public) for t, (a, _, f, public) in owners.items()],
        )
        low, high = db.execute("SELECT min(id), max(id) FROM segments").fetchone()
        self.chunks = iter(range((low or 1) - 1, high or 0, DOCS_CHUNK) if high is not None else ())

    def write_next(self) -> bool:
        """Write the next chunk's rows; False when there was none left."""
        after = next(self.chunks, None)
        if after is None:
            return False
        self.db.execute(_DOCS, (SPEECH_BASE, HitSource.SPEECH, after, after + DOCS_CHUNK, BLANK))
        return True

    def write_all(self) -> None:
        while self.write_next():
            pass

    def close(self) -> None:
        self.db.execute("DROP TABLE IF EXISTS temp.speech_owners")
