"""Stand-ins for library calls whose owners have not merged yet (removed once they land).

Only the web falls back to these, and only when the real module cannot be imported.
"""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy import select

from mediaarchive.archive import Archive
from mediaarchive.db import Asset, OcrText, Segment, Transcript


def search(archive: Archive, query: str, **filters: Any) -> list[dict[str, Any]]:
    words = [w for w in query.lower().split() if w]
    if not words:
        return []
    hits: list[dict[str, Any]] = []
    with archive.db.session() as session:
        rows = session.execute(
            select(Segment, Asset).join(Transcript, Segment.transcript_id == Transcript.id)
            .join(Asset, Transcript.asset_id == Asset.id).where(Transcript.current.is_(True))
        ).all()
        for segment, asset in rows:
            if all(w in segment.text.lower() for w in words):
                hits.append(_hit(asset, "speech", segment.start, segment.end, segment.text, words))
        for ocr, asset in session.execute(select(OcrText, Asset).join(Asset)).all():
            if all(w in ocr.text.lower() for w in words):
                hits.append(_hit(asset, ocr.source, ocr.start, ocr.end, ocr.text, words))
    if filters.get("kind"):
        hits = [h for h in hits if h["kind"] == filters["kind"]]
    if filters.get("source"):
        hits = [h for h in hits if h["source"] == filters["source"]]
    if filters.get("event"):
        hits = [h for h in hits if h["event"] == filters["event"]]
    return hits[: filters.get("limit") or 20]


def _hit(asset: Asset, source: str, start: float | None, end: float | None, text: str,
         words: list[str]) -> dict[str, Any]:
    snippet = html.escape(text)
    for word in words:
        index = snippet.lower().find(html.escape(word))
        if index >= 0:
            found = snippet[index:index + len(html.escape(word))]
            snippet = snippet[:index] + f"<mark>{found}</mark>" + snippet[index + len(found):]
    link = f"/assets/{asset.short_id}" + (f"#t={start:g}" if start is not None else "")
    return {"asset_id": asset.short_id, "event": asset.event.name if asset.event else None,
            "title": asset.title, "kind": asset.kind, "speakers": list(asset.speakers or []),
            "source": source, "start": start, "end": end, "snippet": snippet, "text": text,
            "link": link, "score": 1.0}


def asset_summary(asset: Asset) -> dict[str, Any]:
    return {"id": asset.short_id, "sha256": asset.sha256, "kind": asset.kind,
            "title": asset.title, "event": asset.event.name if asset.event else None,
            "events": [e.name for e in asset.events], "state": asset.state,
            "steps": [{"name": j.step, "state": j.state, "attempts": j.attempts,
                       "error": j.error, "seconds": j.seconds, "worker": j.worker}
                      for j in asset.jobs]}


def asset_detail(archive: Archive, asset: Asset) -> dict[str, Any]:
    from mediaarchive.web.library import transcript_json

    current = asset.current_transcript
    return {
        "id": asset.short_id, "sha256": asset.sha256, "kind": asset.kind, "size": asset.size,
        "mime": asset.mime, "title": asset.title,
        "event": asset.event.name if asset.event else None,
        "events": [e.name for e in asset.events], "speakers": list(asset.speakers or []),
        "source_urls": [s.url for s in asset.sources], "probe": asset.probe,
        "renditions": [{"kind": r.kind, "label": r.label, "path": None,
                        "uri": archive.store.uri_for(r.blob_key), "mime": r.mime,
                        "size": r.size, "params": r.params or {}} for r in asset.renditions],
        "transcript": transcript_json(current) if current else None,
        "transcripts": [{"id": t.id, "model": t.model, "created": t.created_at.isoformat(),
                         "current": t.current} for t in asset.transcripts],
        "ocr": [{"text": o.text, "start": o.start, "end": o.end, "source": o.source,
                 "confidence": o.confidence, "words": o.words or []} for o in asset.ocr_texts],
    }
