"""The JSON API: search, assets, transcripts, events (read-only; the OpenAPI schema at
``/openapi.json``, interactive docs at ``/docs``)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from mediaarchive.archive import Archive
from mediaarchive.errors import NotFoundError
from mediaarchive.web import library
from mediaarchive.web.deps import get_archive, get_session, load_asset
from mediaarchive.web.media import AssetId, EventId
from mediaarchive.web.schemas import (
    AssetDetail,
    AssetSummary,
    ErrorDocument,
    EventDetail,
    EventInfo,
    SearchHit,
    TranscriptDocument,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorDocument, "description": "The request cannot be answered as asked."},
    404: {"model": ErrorDocument, "description": "No such asset or event."},
}

router = APIRouter(prefix="/api", responses=ERRORS)

Kind = Literal["video", "audio", "image", "other"]
Source = Literal["speech", "slide", "image", "metadata"]
State = Literal["queued", "running", "done", "failed"]


@router.get("/search", response_model=list[SearchHit], tags=["search"])
def search(
    q: str = Query(max_length=500, description="What was said or shown (German works best)."),
    event: str | None = Query(None, max_length=500),
    speaker: str | None = Query(None, max_length=200),
    kind: Kind | None = None,
    source: Source | None = None,
    since: str | None = Query(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    until: str | None = Query(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    language: str | None = Query(None, max_length=20),
    limit: int = Query(20, ge=1, le=200),
    group: bool = False,
    archive: Archive = Depends(get_archive),
) -> list[dict[str, Any]]:
    """Ranked hits, best first: each with its asset, time range and a highlighted snippet."""
    if not q.strip():
        return []
    filters = {"event": event, "speaker": speaker, "kind": kind, "source": source,
               "since": since, "until": until, "language": language}
    return library.search_hits(archive, q, limit=limit, group=group,
                               **{k: v for k, v in filters.items() if v})


@router.get("/assets", response_model=list[AssetSummary], tags=["assets"])
def assets(event: str | None = Query(None, max_length=500), kind: Kind | None = None,
           state: State | None = None,
           session: Session = Depends(get_session)) -> list[dict[str, Any]]:
    """Every asset with its processing state (like ``mediaarchive status --json``)."""
    return [library.asset_summary(asset)
            for asset in library.list_assets(session, event=event, kind=kind, state=state)]


@router.get("/assets/{asset_id}", response_model=AssetDetail, tags=["assets"])
def asset(asset_id: AssetId, archive: Archive = Depends(get_archive),
          session: Session = Depends(get_session)) -> dict[str, Any]:
    """One asset in full (like ``mediaarchive show ID --json``)."""
    return library.asset_detail(archive, load_asset(session, asset_id))


@router.get("/assets/{asset_id}/transcript", response_model=TranscriptDocument,
            tags=["transcripts"])
def transcript(asset_id: AssetId, session: Session = Depends(get_session)) -> dict[str, Any]:
    """The asset's current transcript: segments with their words and times."""
    item = load_asset(session, asset_id)
    current = library.current_transcript(session, item)
    if current is None:
        raise NotFoundError(f"asset {item.short_id} has no transcript yet")
    return library.transcript_json(current)


@router.get("/events", response_model=list[EventInfo], tags=["events"])
def events(session: Session = Depends(get_session)) -> list[dict[str, Any]]:
    """Every event with its number of assets."""
    return [item.to_json() for item in library.list_events(session)]


@router.get("/events/{event_id}", response_model=EventDetail, tags=["events"])
def event(event_id: EventId, session: Session = Depends(get_session)) -> dict[str, Any]:
    """One event with its assets."""
    item = library.get_event(session, event_id)
    return {"id": item.id, "name": item.name, "date": item.date,
            "description": item.description,
            "assets": [library.asset_summary(asset) for asset in item.assets]}
