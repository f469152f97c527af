"""The archive on a real PostgreSQL server: same models, same migrations, migrated once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect, select, text

from mediaarchive.archive import Archive, find_asset
from mediaarchive.config import Settings
from mediaarchive.db import Asset, Job

REPO = Path(__file__).resolve().parent.parent


def test_migrations_build_the_schema_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    archive = Archive(Settings.load(home=tmp_path, db=postgres_url))
    try:
        tables = set(inspect(archive.db.engine).get_table_names())
        assert {"assets", "events", "jobs", "renditions", "transcripts", "segments"} <= tables
        with archive.session() as session:
            session.add(
                Asset(
                    sha256="ab" * 32,
                    size=3,
                    blob_key="k",
                    kind="video",
                    speakers=["Anna Müller"],
                    extra={"page": "Labcamp"},
                )
            )
        with archive.session() as session:
            asset = find_asset(session, "ababab")
            assert asset.speakers == ["Anna Müller"] and asset.extra == {"page": "Labcamp"}
    finally:
        archive.close()


MIGRATE = """
import sys
from mediaarchive.db import Database
Database(sys.argv[1]).dispose()
"""


def test_processes_starting_together_migrate_once(postgres_url: str) -> None:
    # Five processes (think: workers and the web starting at once) open a fresh database.
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, postgres_url],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(5)
    ]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0] * 5, errors

    archive = Archive(Settings.load(db=postgres_url))
    try:
        with archive.session() as session:
            versions = session.execute(text("SELECT version_num FROM alembic_version")).all()
            assert len(versions) == 1
            assert session.scalars(select(Job)).all() == []
    finally:
        archive.close()


def test_workers_indexing_at_once_on_a_fresh_archive_do_not_collide(
    postgres_url: str, tmp_path: Path
) -> None:
    import threading

    from mediaarchive.search import index_asset
    from mediaarchive.services.search import search

    archives = [Archive(Settings.load(home=tmp_path, db=postgres_url)) for _ in range(3)]
    try:
        with archives[0].session() as session:
            ids = []
            for i in range(3):
                asset = Asset(
                    sha256=f"{i:x}" * 64,
                    size=1,
                    blob_key=f"k{i}",
                    kind="video",
                    title=f"Innovationslabor Teil {i}",
                )
                session.add(asset)
                session.flush()
                ids.append(asset.id)
        barrier = threading.Barrier(3)
        errors: list[BaseException] = []

        def index(archive: Archive, asset_id: int) -> None:
            try:
                with archive.session() as session:
                    asset = session.get(Asset, asset_id)
                    barrier.wait(timeout=30)
                    index_asset(session, asset)  # the first write on a fresh index rebuilds
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [
            threading.Thread(target=index, args=pair) for pair in zip(archives, ids, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        hits = search(archives[0], "Labor")
        assert sorted(h.title for h in hits) == [f"Innovationslabor Teil {i}" for i in range(3)]
    finally:
        for archive in archives:
            archive.close()
