"""Engine and session set-up; the schema is brought up to date by Alembic on open."""

from __future__ import annotations

import fcntl
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mediaarchive.db.revisions import MIGRATIONS, head_revisions
from mediaarchive.errors import ConfigError

#: PostgreSQL advisory lock key held while migrating, so processes starting together
#: (workers, web, CLI) upgrade the schema once and the others wait, then find it current.
MIGRATION_LOCK = 0x6D656469  # "medi"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    _set_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _set_wal(cursor, *, patience: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Switch the file to write-ahead logging once. SQLite answers "database is locked" to
    the switch at once, without waiting out the busy timeout, while another process is
    creating or switching the same new file (eight processes opening a new home together);
    so wait and try again, as the busy timeout would."""
    deadline = time.monotonic() + patience
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if need be); released on exit, and by
    the kernel if the process dies holding it."""
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class Database:
    """One archive database: an engine, a session factory, migrations applied."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite and url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            kwargs: dict = (
                {"connect_args": {"timeout": 30}} if self.is_sqlite else {"pool_pre_ping": True}
            )
            self.engine: Engine = create_engine(url, **kwargs)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise ConfigError(f"cannot open database {url}: {exc}") from exc
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the newest migration (safe to call every time).

        When the database already stands at the newest migration this is one query;
        Alembic loads only when there is something to upgrade."""
        if self._is_current():
            return
        # Alembic loads here, not at import: commands that open no database start faster.
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        engine = self._migration_engine()
        try:
            with self._sqlite_migration_lock(), engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    # Released at commit; DDL is transactional on PostgreSQL.
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                    )
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
        except SQLAlchemyError as exc:
            raise ConfigError(f"cannot prepare database {self.url}: {exc}") from exc
        finally:
            if engine is not self.engine:
                engine.dispose()

    def _migration_engine(self) -> Engine:
        """The engine migrations run on. For SQLite one whose transactions are SQLite's own
        (``BEGIN`` ... ``COMMIT``): Python's sqlite3 commits every CREATE TABLE at once, so a
        process killed while creating a new home left half a schema without a version, and
        every later command died with "table assets already exists" (the kill -9 test).

        The transaction takes the write lock when it begins (``BEGIN IMMEDIATE``, waiting out
        the busy timeout): one begun as a reader cannot write once another connection has
        written since its first read, and SQLite answers "database is locked" at once (a CI
        run of eight processes opening a new home together failed so)."""
        if not self.is_sqlite:
            return self.engine
        engine = create_engine(self.url, connect_args={"timeout": 30})

        def connect(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
            _sqlite_pragmas(dbapi_connection, record)
            dbapi_connection.isolation_level = None  # no implicit BEGIN/COMMIT by the driver

        event.listen(engine, "connect", connect)
        event.listen(
            engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE")
        )
        return engine

    def _is_current(self) -> bool:
        """The database's recorded revision is the newest migration (one cheap query)."""
        path = self.url.removeprefix("sqlite:///").split("?", 1)[0] if self.is_sqlite else ""
        if path and path != ":memory:" and not Path(path).exists():
            return False  # a new home: created under the migration lock, by one process
        try:
            with self.engine.connect() as connection:
                recorded = set(
                    connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
                )
        except SQLAlchemyError:
            return False  # a new database (no version table yet), or one Alembic must see
        return bool(recorded) and recorded == head_revisions()

    def _sqlite_migration_lock(self):  # type: ignore[no-untyped-def]
        """An exclusive lock on ``<database>.lock`` for SQLite files: processes opening a new
        home together create and migrate it once; the others wait, then find it current
        (the SQLite counterpart of PostgreSQL's advisory lock)."""
        if not self.is_sqlite or not self.url.startswith("sqlite:///"):
            return nullcontext()
        path = self.url.removeprefix("sqlite:///").split("?", 1)[0]
        if not path or path == ":memory:":
            return nullcontext()
        return _file_lock(Path(path + ".lock"))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
