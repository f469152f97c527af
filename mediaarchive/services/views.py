"""Assets as the CLI contract shows them: ``status`` entries and the full ``show`` record.

The CLI and the web both build their JSON here, so the keys stay the same everywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mediaarchive.archive import Archive
from mediaarchive.db import Asset, Event, Job
from mediaarchive.db.models import asset_events
from mediaarchive.search.filters import match_events


def asset_summary(asset: Asset) -> dict[str, Any]:
    """``status --json`` entry: id, sha256, kind, title, event, events, state, steps."""
    return {
        "id": asset.short_id,
        "sha256": asset.sha256,
        "kind": asset.kind,
        "title": asset.title,
        "event": asset.event.name if asset.event else None,
        "events": [event.name for event in asset.events],
        "state": asset.state,
        "steps": [step_summary(job) for job in asset.jobs],
    }


def step_summary(job: Job) -> dict[str, Any]:
    return {
        "name": job.step,
        "state": job.state,
        "attempts": job.attempts,
        "error": job.error,
        "seconds": job.seconds,
        "worker": job.worker,
    }


def asset_detail(archive: Archive, asset: Asset) -> dict[str, Any]:
    """``show --json``: everything known about one asset (the full contract)."""
    store = archive.store
    current = asset.current_transcript
    detail = asset_summary(asset)
    detail.update({
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
        "original": _blob(store, asset.blob_key),
        "source_urls": [link.url for link in asset.sources],
        "sources": [
            {"url": link.url, "scheme": link.scheme, "page": link.page,
             "heading": link.heading, "context": link.context, "etag": link.etag,
             "fetched_at": link.fetched_at.isoformat() if link.fetched_at else None}
            for link in asset.sources
        ],
        "probe": asset.probe,
        "renditions": [
            {"kind": r.kind, "label": r.label, **_blob(store, r.blob_key), "mime": r.mime,
             "size": r.size, "sha256": r.sha256, "params": r.params}
            for r in asset.renditions
        ],
        "transcript": _transcript(current) if current is not None else None,
        "transcripts": [
            {"id": t.id, "model": t.model, "language": t.language,
             "created": t.created_at.isoformat() if t.created_at else None,
             "current": bool(t.current), "complete": bool(t.complete)}
            for t in asset.transcripts
        ],
        "ocr": [
            {"text": o.text, "start": o.start, "end": o.end, "source": o.source,
             "confidence": o.confidence, "words": list(o.words or [])}
            for o in asset.ocr_texts
        ],
    })
    return detail


def _blob(store: Any, key: str) -> dict[str, Any]:
    path = store.local_path(key)
    return {"path": str(path.resolve()) if path is not None else None,
            "uri": store.uri_for(key)}


def _transcript(transcript: Any) -> dict[str, Any]:
    return {
        "id": transcript.id,
        "model": transcript.model,
        "language": transcript.language,
        "language_probability": transcript.language_probability,
        "duration": transcript.duration,
        "complete": bool(transcript.complete),
        "provenance": transcript.provenance,
        "segments": [
            {"start": s.start, "end": s.end, "text": s.text, "confidence": s.confidence,
             "words": [{"start": w.start, "end": w.end, "word": w.word,
                        "probability": w.probability} for w in s.words]}
            for s in transcript.segments
        ],
    }


def list_assets(session: Session, *, event: str | None = None, kind: str | None = None,
                state: str | None = None) -> list[Asset]:
    """Assets in ingest order, filtered by event, kind and state.

    ``event`` matches as every read command's ``--event`` does (``match_events``).
    """
    query = select(Asset).order_by(Asset.id)
    if event:
        query = query.where(Asset.events.any(Event.id.in_(match_events(session, event))))
    if kind:
        query = query.where(Asset.kind == kind)
    if state:
        query = query.where(Asset.state == state)
    return list(session.scalars(query))


def event_summaries(session: Session) -> list[dict[str, Any]]:
    """``events --json``: name, date, number of assets (plus source and page links)."""
    counts = dict(session.execute(
        select(asset_events.c.event_id, func.count()).group_by(asset_events.c.event_id)).all())
    return [
        {"name": event.name, "date": event.date, "assets": counts.get(event.id, 0),
         "source": event.source, "description": event.description,
         "page_links": [{"url": link.url, "heading": link.heading}
                        for link in event.page_links]}
        for event in session.scalars(select(Event).order_by(Event.id))
    ]
