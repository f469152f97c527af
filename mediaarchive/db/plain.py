"""Reading with plain SQL, without the ORM: for what must start fast (``status``).

Importing SQLAlchemy costs 0.4 s and mapping the models another 0.15 s on a small CPU,
more than ``status`` on a thousand assets may take in all. A ``PlainReader`` runs SQL
text with ``:name`` parameters and returns tuples: on an SQLite file whose schema stands
at the newest migration through ``sqlite3`` alone (``open_sqlite_reader``), else over a
SQLAlchemy connection or session (``SqlAlchemyReader``: PostgreSQL, or a database that
must be migrated first). Values come back as SQLite stores them; ``json_value`` and
``iso_time`` read the JSON and time columns the same on every database.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from mediaarchive.db.revisions import head_revisions

__all__ = [
    "PlainReader",
    "SqlAlchemyReader",
    "SqliteReader",
    "iso_time",
    "json_value",
    "open_sqlite_reader",
    "short_id",
    "sqlite_path",
]


class PlainReader(Protocol):
    """Runs one SQL query (``:name`` parameters) and returns its rows as tuples."""

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]: ...


class SqliteReader:
    """A ``PlainReader`` over a plain ``sqlite3`` connection (which it closes)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params).fetchall()

    def close(self) -> None:
        self.connection.close()


class SqlAlchemyReader:
    """A ``PlainReader`` over a SQLAlchemy connection or session (seeing its transaction)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        from sqlalchemy import text  # loaded already by whoever made the connection

        return [tuple(row) for row in self.connection.execute(text(sql), params)]


def sqlite_path(url: str) -> Path | None:
    """The file of an ``sqlite:///FILE`` URL (None for other databases and in-memory ones)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def open_sqlite_reader(url: str) -> SqliteReader | None:
    """A reader on the SQLite file of ``url`` when its schema is the newest migration's;
    None when it is not (a new, old or other database: open ``Database`` to migrate it)."""
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return None
    connection = sqlite3.connect(path, timeout=30)
    try:
        # Readers wait for a writer as the ORM's connections do (``Database``).
        connection.execute("PRAGMA busy_timeout=30000")
        recorded = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.Error:
        connection.close()
        return None
    if not recorded or recorded != head_revisions():
        connection.close()
        return None
    return SqliteReader(connection)


def short_id(sha256: str) -> str:
    """The id users see of an asset: the first 12 hex digits of its sha256."""
    return sha256[:12]


def json_value(value: Any) -> Any:
    """A JSON column's value: SQLite hands back the text, PostgreSQL the parsed value."""
    return json.loads(value) if isinstance(value, str) else value


def iso_time(value: Any) -> str | None:
    """A time column as ``datetime.isoformat()`` gives it for the ORM's value (SQLite hands
    back the stored text ``2024-05-01 10:00:00.000000``, PostgreSQL a datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.isoformat()
