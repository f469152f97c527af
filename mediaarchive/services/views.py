"""The archive as its readers see it: one asset in full (``show``) and its transcript.

One definition of each view of the JSON contract (design.md): the CLI's ``status``, ``show``
and ``events``, the web page and its API all build them here, so the keys stay the same
everywhere. Records leave as dataclasses (``to_json()`` gives the contract's keys) or as the
contract's dicts built here, never as ORM rows. The lists live beside this module and are
handed out here too: the assets (``listing``, plain SQL, what ``status`` reads) and the events
(``event_views``).

Functions that take a ``session`` read in the caller's session (``read_session`` opens one
that never writes); those that take the ``archive`` open their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import Asset, Transcript
from mediaarchive.errors import NotFoundError
from mediaarchive.services import audience
from mediaarchive.services.event_views import (
    PREVIEW_KINDS,
    EventDetail,
    EventSummary,
    event_detail,
    event_summaries,
    list_events,
    preview_kinds,
)
from mediaarchive.services.listing import (
    TIMED_KINDS,
    AssetSummary,
    EventRef,
    StepView,
    asset_summary,
    list_assets,
    step_summary,
)
from mediaarchive.subtitles import segments_json

__all__ = [
    "PREVIEW_KINDS",
    "TIMED_KINDS",
    "AssetSummary",
    "EventDetail",
    "EventRef",
    "EventSummary",
    "ReadSession",
    "StepView",
    "asset_detail",
    "asset_summary",
    "current_transcript",
    "event_detail",
    "event_summaries",
    "find_current_transcript",
    "format_time",
    "list_assets",
    "list_events",
    "lookup_asset",
    "preview_kinds",
    "read_session",
    "require_transcript",
    "step_summary",
    "transcript_json",
]

#: What ``read_session`` yields; the edges only hand it back to the functions here.
ReadSession = Session


@contextmanager
def read_session(archive: Archive) -> Iterator[Session]:
    """A session for reading only: whatever happens in it is rolled back, never committed."""
    session = archive.db.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def lookup_asset(session: Session, asset_id: str) -> Asset:
    """The asset row for an id as a user gives it (for use inside services only).

    Raises:
        UserError: not an id; NotFoundError: unknown; AmbiguousIdError: several match.
    """
    asset = find_asset(session, asset_id[:64])
    if not audience.visible(asset, withdrawn=True):
        raise NotFoundError(f"no asset with id {asset_id[:64]}: see the start page for assets")
    return asset


# --- Show: one asset in full --------------------------------------------------------------


def asset_detail(archive: Archive, asset: Asset | AssetSummary | str) -> dict[str, Any]:
    """``show --json``: everything known about one asset (the full contract).

    Args:
        asset: the asset's row, its ``AssetSummary`` or its id (6+ hex digits); for the
            latter two the record is read in a session of its own.

    Raises:
        NotFoundError, AmbiguousIdError, UserError: for an id that names no single asset.
    """
    if not isinstance(asset, Asset):
        asset_id = asset.sha256 if isinstance(asset, AssetSummary) else asset
        with read_session(archive) as session:
            return asset_detail(archive, lookup_asset(session, asset_id))
    store = archive.store
    current = asset.current_transcript
    detail = asset_summary(asset)
    detail.update(
        {
            "size": asset.size,
            "mime": asset.mime,
            "filename": asset.filename,
            "description": asset.description,
            "speakers": list(asset.speakers or []),
            "language": asset.language,
            "date": asset.date,
            "pipeline": asset.pipeline,
            "metadata": dict(asset.extra or {}),
            "created_at": asset.created_at.isoformat() if asset.created_at else None,
            "original": {**_blob(store, asset.blob_key), "damaged": asset.damaged},
            "source_urls": [link.url for link in asset.sources],
            "sources": [
                {
                    "url": link.url,
                    "scheme": link.scheme,
                    "page": link.page,
                    "heading": link.heading,
                    "context": link.context,
                    "etag": link.etag,
                    "fetched_at": link.fetched_at.isoformat() if link.fetched_at else None,
                }
                for link in asset.sources
            ],
            "probe": asset.probe,
            "renditions": [
                {
                    "kind": r.kind,
                    "label": r.label,
                    **_blob(store, r.blob_key),
                    "mime": r.mime,
                    "size": r.size,
                    "sha256": r.sha256,
                    "params": r.params,
                    "damaged": r.damaged,
                }
                for r in asset.renditions
            ],
            "transcript": transcript_json(current) if current is not None else None,
            "transcripts": [
                {
                    "id": t.id,
                    "model": t.model,
                    "language": t.language,
                    "created": t.created_at.isoformat() if t.created_at else None,
                    "current": bool(t.current),
                    "complete": bool(t.complete),
                }
                for t in asset.transcripts
            ],
            "ocr": [
                {
                    "text": o.text,
                    "start": o.start,
                    "end": o.end,
                    "source": o.source,
                    "confidence": o.confidence,
                    "words": list(o.words or []),
                }
                for o in asset.ocr_texts
            ],
        }
    )
    return detail


def _blob(store: Any, key: str) -> dict[str, Any]:
    path = store.local_path(key)
    return {"path": str(path.resolve()) if path is not None else None, "uri": store.uri_for(key)}


# --- Transcripts ---------------------------------------------------------------------------


def transcript_json(transcript: Transcript) -> dict[str, Any]:
    """A transcript as ``show --json``'s ``transcript`` has it: segments with their words."""
    return {
        "id": transcript.id,
        "model": transcript.model,
        "language": transcript.language,
        "language_probability": transcript.language_probability,
        "duration": transcript.duration,
        "complete": bool(transcript.complete),
        "revision": transcript.revision,
        "review": transcript.review,
        "provenance": transcript.provenance,
        "segments": segments_json(transcript),
    }


def find_current_transcript(session: Session, asset: Asset) -> Transcript | None:
    """The asset's current transcript row with its segments loaded (words load when read;
    for use inside services only)."""
    return session.scalar(
        select(Transcript)
        .where(Transcript.asset_id == asset.id, Transcript.current.is_(True))
        .order_by(Transcript.id.desc())
        .options(selectinload(Transcript.segments))
        .limit(1)
    )


def require_transcript(session: Session, asset: Asset) -> Transcript:
    """The asset's current transcript row (for use inside services only).

    Raises:
        NotFoundError: the asset has none yet; the message says how to get one.
    """
    transcript = find_current_transcript(session, asset)
    if transcript is None:
        raise NotFoundError(
            f"asset {asset.short_id} has no transcript yet: transcribe it with "
            f"'mediaarchive transcribe {asset.short_id}'"
        )
    return transcript


def current_transcript(session: Session, asset_id: str) -> dict[str, Any]:
    """The asset's current transcript (``transcript_json``).

    Raises:
        NotFoundError: no such asset, or it has no transcript yet.
    """
    return transcript_json(require_transcript(session, lookup_asset(session, asset_id)))


def format_time(seconds: float | None) -> str:
    """``1:02:03`` or ``2:03`` for a time in seconds (empty for none)."""
    if seconds is None:
        return ""
    total = int(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
