"""Safe first use: several processes opening a new SQLite home at the same moment create and
migrate it once; none of them fails with "table ... already exists"."""

from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path

from sqlalchemy import create_engine, text

PROCESSES = 8
ROUNDS = 20


def _open_and_record(url: str, barrier, results, index: int) -> None:  # type: ignore[no-untyped-def]
    from mediaarchive.db import Database

    try:
        barrier.wait(timeout=60)
        database = Database(url)
        with database.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO events (name, created_at) VALUES (:name, CURRENT_TIMESTAMP)"),
                {"name": f"event {index}"},
            )
        database.dispose()
        results.put((index, "ok"))
    except BaseException:
        results.put((index, traceback.format_exc()))


def test_eight_processes_opening_a_new_home_together_all_succeed(tmp_path: Path) -> None:
    # Forked (not spawned) processes: the libraries (Alembic too) are imported once in this
    # process, so each round is only
    # the race itself: eight processes released by one barrier, all creating and migrating.
    from mediaarchive.db import Database

    Database(f"sqlite:///{tmp_path / 'warm' / 'archive.db'}").dispose()  # imports Alembic once
    context = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        url = f"sqlite:///{tmp_path / f'home{round_}' / 'archive.db'}"
        barrier = context.Barrier(PROCESSES)
        results = context.Queue()
        processes = [
            context.Process(target=_open_and_record, args=(url, barrier, results, index))
            for index in range(PROCESSES)
        ]
        for process in processes:
            process.start()
        outcomes = dict(results.get(timeout=120) for _ in processes)
        for process in processes:
            process.join(timeout=60)
        failures = [f"round {round_}: {text}" for text in outcomes.values() if text != "ok"]
        assert failures == [], failures[0]
        engine = create_engine(url)
        with engine.connect() as connection:
            names = connection.execute(text("SELECT name FROM events ORDER BY name")).scalars()
            assert list(names) == sorted(f"event {i}" for i in range(PROCESSES)), round_
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            assert len(versions) == 1
        engine.dispose()


def test_a_migration_is_not_undone_by_a_write_that_lands_while_it_reads(tmp_path: Path) -> None:
    # The race the eight-process test hits about once in a few hundred rounds under load,
    # made certain: between the migration's first read and its first write, another
    # connection writes (as another process switching the new file to WAL does). A migration
    # that began as a reader then cannot write ("database is locked" at once, no waiting);
    # one that takes the write lock when it begins is unaffected, and the other writer waits.
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from mediaarchive.db import Database
    from tests.helpers import write_elsewhere

    path = tmp_path / "home" / "archive.db"
    path.parent.mkdir()
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
    other_writes: list[str] = []

    def write_from_elsewhere(conn, cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if other_writes or not statement.lstrip().upper().startswith("CREATE TABLE"):
            return
        other_writes.append(
            write_elsewhere(path, "CREATE TABLE elsewhere (x INTEGER)", timeout=0.2)
        )

    event.listen(Engine, "before_cursor_execute", write_from_elsewhere)
    try:
        database = Database(f"sqlite:///{path}")
    finally:
        event.remove(Engine, "before_cursor_execute", write_from_elsewhere)
    with database.engine.connect() as connection:
        tables = set(
            connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars()
        )
    database.dispose()
    assert {"assets", "events", "alembic_version"} <= tables
    assert other_writes == ["database is locked"]  # the other writer waited for the migration
