"""The archive's shared resources: settings, database and store, plus asset look-up by id.

Every library operation (ingest, run, search, subtitles…) takes an ``Archive``; the CLI,
the web and the workers build one and call those operations.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from mediaarchive.config import Settings
from mediaarchive.db.plain import PlainReader, SqlAlchemyReader, open_sqlite_reader
from mediaarchive.errors import AmbiguousIdError, DamagedError, NotFoundError, UserError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mediaarchive.db import Asset, Database
    from mediaarchive.store import Store

# SQLAlchemy, the models and the store load when first used, not with this module: an
# ``Archive`` is made by every command, and ``status`` reads without the ORM (``reader``).

MIN_ID_PREFIX = 6


class Archive:
    """An archive home: its database and its store, opened lazily."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.load()

    @cached_property
    def db(self) -> Database:
        from mediaarchive.db import Database

        if self.settings.db is None:
            self.settings.home.mkdir(parents=True, exist_ok=True)
        return Database(self.settings.db_url)

    @cached_property
    def store(self) -> Store:
        from mediaarchive.store import open_store

        return open_store(self.settings.store_uri, endpoint_url=self.settings.s3_endpoint_url)

    def session(self):  # type: ignore[no-untyped-def]
        """A transactional session scope (commit on success)."""
        return self.db.session()

    @contextmanager
    def reader(self) -> Iterator[PlainReader]:
        """Read with plain SQL (``mediaarchive.db.plain``), never writing: through ``sqlite3``
        alone when the database is an SQLite file at the newest migration and not open yet,
        else over a connection of ``db`` (which migrates the schema first)."""
        plain = None if "db" in self.__dict__ else open_sqlite_reader(self.settings.db_url)
        if plain is not None:
            try:
                yield plain
            finally:
                plain.close()
            return
        with self.db.engine.connect() as connection:
            yield SqlAlchemyReader(connection)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()


def find_asset(session: Session, asset_id: str) -> Asset:
    """The asset whose sha256 starts with ``asset_id`` (at least 6 hex digits).

    Raises:
        NotFoundError: no asset matches.
        AmbiguousIdError: several match; the message lists them.
    """
    from sqlalchemy import select

    from mediaarchive.db import Asset

    prefix = asset_id.strip().lower()
    if len(prefix) < MIN_ID_PREFIX or any(c not in "0123456789abcdef" for c in prefix):
        raise UserError(
            f"asset id {asset_id!r} is not valid: give at least {MIN_ID_PREFIX} hex digits "
            "of the id that 'mediaarchive status' shows"
        )
    matches = session.scalars(select(Asset).where(Asset.sha256.like(f"{prefix}%")).limit(10)).all()
    if not matches:
        raise NotFoundError(f"no asset with id {prefix}: see 'mediaarchive status' for ids")
    if len(matches) > 1:
        candidates = ", ".join(f"{a.short_id} ({a.title or a.filename})" for a in matches)
        raise AmbiguousIdError(f"asset id {prefix} is ambiguous: {candidates}")
    return matches[0]


def mark_blob(
    session: Session, key: str, expected: str, actual: str | None, *, missing: bool = False
) -> list[str]:
    """Record a check of the blob ``key``: a fixity event, and the damaged mark of every
    asset (original) and rendition stored under it set ("corrupt", "missing") or cleared
    (the bytes hash right). Returns the short ids of the assets concerned."""
    from sqlalchemy import select

    from mediaarchive.db import Asset, FixityEvent, Rendition

    outcome = "missing" if missing else ("ok" if actual == expected else "corrupt")
    mark = None if outcome == "ok" else outcome
    ids: dict[int, str] = {}
    for asset in session.scalars(select(Asset).where(Asset.blob_key == key)):
        asset.damaged = mark
        ids[asset.id] = asset.short_id
    for rendition in session.scalars(select(Rendition).where(Rendition.blob_key == key)):
        rendition.damaged = mark
        ids[rendition.asset_id] = rendition.asset.short_id
    for asset_pk in ids or {None: ""}:
        session.add(
            FixityEvent(
                asset_id=asset_pk,
                blob_key=key,
                outcome=outcome,
                expected_sha256=expected,
                actual_sha256=actual,
            )
        )
    session.flush()
    return list(ids.values())


def record_damage(archive: Archive, error: DamagedError) -> list[str]:
    """Mark what a read found damaged, in a transaction of its own (the reader's own work
    is rolled back). Returns the short ids of the assets concerned."""
    with archive.session() as session:
        return mark_blob(session, error.key, error.expected, error.actual, missing=error.missing)
