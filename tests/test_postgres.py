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
            session.add(Asset(sha256="ab" * 32, size=3, blob_key="k", kind="video",
                              speakers=["Anna Müller"], extra={"page": "Labcamp"}))
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
        subprocess.Popen([sys.executable, "-c", MIGRATE, postgres_url], cwd=REPO,
                         stderr=subprocess.PIPE, text=True)
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
