"""The status listing read with plain SQL is the listing the ORM rows give, on SQLite (through
sqlite3 alone) and on PostgreSQL (over SQLAlchemy's connection)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.db import Asset, Event, Job, Rendition, Transcript
from mediaarchive.db.plain import SqliteReader
from mediaarchive.services import status
from mediaarchive.services.listing import AssetSummary


def fill(archive: Archive) -> None:
    """Three assets that use every column the listing shows: events, steps with an error,
    a damaged rendition, two transcripts (one current), a withdrawn asset, JSON columns."""
    with archive.session() as session:
        labcamp, werkstatt = Event(name="Labcamp 4"), Event(name="Bürgerwerkstatt")
        for n, kind in enumerate(["video", "audio", "image"]):
            asset = Asset(
                sha256=f"{n:x}" * 64,
                size=100 + n,
                kind=kind,
                blob_key=f"k{n}",
                title=f"Vortrag {n}" if n != 2 else None,
                state="failed" if n == 1 else "done",
                speakers=["Anna Müller"] if n == 0 else [],
                probe={"duration": 61.5} if n != 2 else None,
                visibility="public" if n == 0 else "internal",
            )
            asset.events.append(labcamp)
            if n == 0:
                asset.events.append(werkstatt)
            asset.jobs.append(Job(step="probe", position=0, state="done", seconds=0.25))
            asset.jobs.append(
                Job(
                    step="transcode",
                    position=1,
                    state="failed" if n == 1 else "done",
                    attempts=3 if n == 1 else 1,
                    error="ffmpeg failed: no audio stream" if n == 1 else None,
                    worker="w1",
                )
            )
            session.add(asset)
        session.flush()
        video, audio, image = session.query(Asset).order_by(Asset.id).all()
        video.renditions.append(
            Rendition(kind="proxy", label="", sha256="e" * 64, blob_key="p", size=1, params={})
        )
        audio.renditions.append(
            Rendition(
                kind="speech_audio",
                label="",
                sha256="f" * 64,
                blob_key="s",
                size=1,
                params={},
                damaged="missing",
            )
        )
        video.transcripts.append(Transcript(model="base", current=False, revision=1))
        video.transcripts.append(
            Transcript(model="base", current=True, revision=2, review="approved")
        )
        image.withdrawn_at = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
        image.withdrawn_reason = "Rechte ungeklärt"


def orm_listing(archive: Archive) -> list[dict]:  # type: ignore[type-arg]
    with archive.session() as session:
        assets = session.query(Asset).order_by(Asset.id).all()
        return [AssetSummary.of(asset).to_json() for asset in assets]


def check(archive: Archive, settings: Settings) -> None:
    """Fill ``archive``; then a new handle on it, as the next command would have, lists
    what the ORM rows show."""
    fill(archive)
    everything = orm_listing(archive)
    reading = Archive(settings)
    assert status.list_status(reading, withdrawn=True).assets == everything
    assert status.list_status(reading).assets == everything[:2]
    assert status.list_status(reading, event="werkstatt").assets == everything[:1]
    assert status.list_status(reading, kind="audio", state="failed").assets == everything[1:2]
    reading.close()
    assert everything[0]["revision"] == 2 and everything[0]["events"] == [
        "Labcamp 4",
        "Bürgerwerkstatt",
    ]
    assert everything[1]["damaged"] and everything[1]["steps"][1]["attempts"] == 3
    assert everything[2]["withdrawn"].startswith("2025-03-01T09:30")


def test_status_on_sqlite_reads_through_sqlite3_the_rows_the_orm_sees(tmp_path: Path) -> None:
    settings = Settings.load(home=tmp_path)
    archive = Archive(settings)
    try:
        check(archive, settings)
        with Archive(settings).reader() as reader:
            assert isinstance(reader, SqliteReader)
    finally:
        archive.close()


def test_status_on_postgres_is_the_same_listing(postgres_url: str, tmp_path: Path) -> None:
    settings = Settings.load(home=tmp_path, db=postgres_url)
    archive = Archive(settings)
    try:
        check(archive, settings)
    finally:
        archive.close()
