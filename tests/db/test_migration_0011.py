"""Migration 0011_curation: an archive made before it (built here with the migrations up to
0010) upgrades with nothing lost; its transcripts read as revision 1, made by their model."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from mediaarchive import services
from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.db.session import MIGRATIONS


def _build_at_0010(url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010_sources")
        rows = [
            "INSERT INTO events (id, name, date, created_at) "
            "VALUES (1, 'Labcamp 4', '2021-07-13', '2024-01-01 10:00:00')",
            "INSERT INTO assets (id, sha256, size, kind, blob_key, filename, title, speakers, "
            "extra, state, created_at, updated_at) VALUES (1, '" + "ab" * 32 + "', 10, "
            "'video', 'sha256/ab', 'talk.mp4', 'Keynote', '[\"Anna\"]', '{}', 'done', "
            "'2024-01-01 10:00:00', '2024-01-01 10:00:00')",
            "INSERT INTO asset_events (asset_id, event_id) VALUES (1, 1)",
            "INSERT INTO transcripts (id, asset_id, model, language, provenance, duration, "
            "complete, current, created_at) VALUES (7, 1, 'base', 'de', '{}', 4.0, true, true, "
            "'2024-01-02 10:00:00')",
            'INSERT INTO segments (id, transcript_id, start, "end", text, confidence) '
            "VALUES (3, 7, 0.0, 2.0, 'Willkommen beim Labcamp.', 0.9)",
            'INSERT INTO words (segment_id, start, "end", word, probability) VALUES '
            "(3, 0.0, 0.8, ' Willkommen', 0.95), (3, 0.9, 1.2, ' beim', 0.9), "
            "(3, 1.3, 2.0, ' Labcamp.', 0.85)",
        ]
        for row in rows:
            connection.execute(text(row))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def old_archive_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of the given kind (the test builds it up to 0010)."""
    if request.param == "sqlite":
        (tmp_path / "home").mkdir()
        return f"sqlite:///{tmp_path / 'home' / 'archive.db'}"
    return request.getfixturevalue("postgres_url")


def test_an_archive_made_before_curation_upgrades_with_nothing_lost(
    tmp_path: Path, old_archive_url: str
) -> None:
    url = old_archive_url
    _build_at_0010(url)
    archive = Archive(Settings.load(home=tmp_path / "home", db=url))
    try:
        detail = services.views.asset_detail(archive, "abababab")
        assert (detail["title"], detail["speakers"], detail["events"]) == (
            "Keynote",
            ["Anna"],
            ["Labcamp 4"],
        )
        transcript = detail["transcript"]
        assert (transcript["revision"], transcript["review"], transcript["language"]) == (
            1,
            "machine",
            "de",
        )
        assert [s["text"] for s in transcript["segments"]] == ["Willkommen beim Labcamp."]
        assert [w["word"] for w in transcript["segments"][0]["words"]] == [
            " Willkommen",
            " beim",
            " Labcamp.",
        ]
        revisions = services.revision_views.transcript_history(archive, "abababab")
        assert [(r.number, r.parent, r.author, r.action) for r in revisions] == [
            (1, None, "base", "asr")
        ]
        assert services.history.asset_history(archive, "abababab") == []
    finally:
        archive.close()
