"""Stand-ins for library calls whose owners have not merged yet (removed once they land).

Only the web falls back to these, and only when the real module cannot be imported.
"""

from __future__ import annotations

from typing import Any

from mediaarchive.archive import Archive
from mediaarchive.db import Asset


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
