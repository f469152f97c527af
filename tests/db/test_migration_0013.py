"""Migration 0013_accounts: an archive made before it opens with its assets intact, no
account (single-user mode as before), and `users add` works from then on."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from mediaarchive.db.session import MIGRATIONS


def test_an_archive_from_before_accounts_upgrades_with_nothing_lost(home: Path, cli) -> None:
    url = f"sqlite:///{home / 'archive.db'}"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "0011_curation")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO assets (sha256, size, kind, blob_key, title, state, speakers, "
                "extra, created_at, updated_at) VALUES ('ab' || substr(hex(zeroblob(31)), 1, 62),"
                " 12, 'other', 'sha256/ab/00/x', 'Protokoll Labcamp 4', 'done', '[]', '{}', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()

    listed = json.loads(cli("status", "--json").stdout)
    assert [(a["title"], a["state"]) for a in listed] == [("Protokoll Labcamp 4", "done")]
    assert json.loads(cli("users", "list", "--json").stdout) == []
    added = cli("users", "add", "anna", "--role", "admin", "--password-stdin", input="lang-genug-1")
    assert added.exit_code == 0, added.stderr
    assert [u["name"] for u in json.loads(cli("users", "list", "--json").stdout)] == ["anna"]
