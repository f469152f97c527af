"""Migration 0009_integrity: an archive made before it opens with nothing lost, and every
asset and rendition starts sound (no damaged mark)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from mediaarchive.db import Asset, Database
from mediaarchive.db.session import MIGRATIONS

NOW = "2026-05-12 10:00:00"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_archive_from_before_0009_upgrades_with_nothing_lost(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'archive.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database()
        request.addfinalizer(lambda: server.drop_database(url))
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "0007_ocr_params")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO assets (id, sha256, size, mime, kind, blob_key, title, speakers,"
                " extra, state, created_at, updated_at) VALUES (1, :sha, 42, 'video/mp4',"
                " 'video', :key, 'Eröffnung', '[]', '{}', 'done', :now, :now)"
            ),
            {"sha": "ab" * 32, "key": f"sha256/ab/ab/{'ab' * 32}", "now": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO renditions (asset_id, kind, label, sha256, blob_key, mime, size,"
                " params, created_at) VALUES (1, 'proxy', '', :sha, :key, 'video/mp4', 7,"
                " '{}', :now)"
            ),
            {"sha": "cd" * 32, "key": f"sha256/cd/cd/{'cd' * 32}", "now": NOW},
        )
    engine.dispose()

    database = Database(url)  # migrates to the head
    try:
        with database.session() as session:
            asset = session.get(Asset, 1)
            assert asset is not None
            assert asset.title == "Eröffnung" and asset.sha256 == "ab" * 32
            assert asset.damaged is None
            [proxy] = asset.renditions
            assert (proxy.kind, proxy.size, proxy.damaged) == ("proxy", 7, None)
    finally:
        database.dispose()
