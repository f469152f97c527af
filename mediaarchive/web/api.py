"""The JSON API: search, assets, transcripts, events (read-only; the OpenAPI schema at
``/openapi.json``, interactive docs at ``/docs``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from mediaarchive.services import Archive, views
from mediaarchive.services import search as search_service
from mediaarchive.vocabulary import AssetKind, AssetState, HitSource
from mediaarchive.web import library
from mediaarchive.web.deps import get_archive, get_session
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


# Unset fields are left out: a hit has ``matches`` only when the search was grouped.

#: YYYY, YYYY-MM or a real YYYY-MM-DD (the schema leaves out 29 February, which only the
#: search itself can judge), so a request the schema allows is one the search accepts.
DATE_PATTERN = (
    r"^\d{4}(-(0[1-9]|1[0-2])|-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])"
    r"|-(0[13-9]|1[0-2])-(29|30)|-(0[13578]|1[02])-31)?$"
)


@router.get(
    "/search", response_model=list[SearchHit], response_model_exclude_unset=True, tags=["search"]
)
def search(
    q: str = Query(max_length=500, description="What was said or shown (German works best)."),
    event: str | None = Query(None, max_length=500),
    speaker: str | None = Query(None, max_length=200),
    kind: AssetKind | None = None,
    source: HitSource | None = None,
    since: str | None = Query(None, pattern=DATE_PATTERN),
    until: str | None = Query(None, pattern=DATE_PATTERN),
    language: str | None = Query(None, max_length=20),
    limit: int = Query(20, ge=1, le=200),
    group: bool = False,
    archive: Archive = Depends(get_archive),
) -> list[dict[str, Any]]:
    """Ranked hits, best first: each with its asset, time range and a highlighted snippet."""
    if not q.strip():
        return []
    filters = {
        "event": event,
        "speaker": speaker,
        "kind": kind,
        "source": source,
        "since": since,
        "until": until,
        "language": language,
    }
    hits = search_service.search(
        archive, q, limit=limit, group=group, **{k: v for k, v in filters.items() if v}
    )
    return [hit.to_json() for hit in hits]


@router.get("/suggest", response_model=list[str], tags=["search"])
def suggest(
    q: str = Query(max_length=500, description="A query, perhaps misspelled."),
    archive: Archive = Depends(get_archive),
) -> list[str]:
    """What the query may have meant ("did you mean"), best first: its misspelled words
    replaced by the closest, more common words of the archive. Empty when nothing looks
    misspelled."""
    return search_service.suggest(archive, q)


@router.get("/assets", response_model=list[AssetSummary], tags=["assets"])
def assets(
    event: str | None = Query(None, max_length=500),
    kind: AssetKind | None = None,
    state: AssetState | None = None,
    session: views.ReadSession = Depends(get_session),
) -> list[dict[str, Any]]:
    """Every asset with its processing state (like ``mediaarchive status --json``)."""
    return [
        asset.to_json() for asset in views.list_assets(session, event=event, kind=kind, state=state)
    ]


@router.get("/assets/{asset_id}", response_model=AssetDetail, tags=["assets"])
def asset(asset_id: AssetId, archive: Archive = Depends(get_archive)) -> dict[str, Any]:
    """One asset in full (like ``mediaarchive show ID --json``)."""
    return library.web_detail(views.asset_detail(archive, asset_id))


@router.get(
    "/assets/{asset_id}/transcript", response_model=TranscriptDocument, tags=["transcripts"]
)
def transcript(
    asset_id: AssetId, session: views.ReadSession = Depends(get_session)
) -> dict[str, Any]:
    """The asset's current transcript: segments with their words and times."""
    return views.current_transcript(session, asset_id)


@router.get("/events", response_model=list[EventInfo], tags=["events"])
def events(session: views.ReadSession = Depends(get_session)) -> list[views.EventSummary]:
    """Every event with its number of assets, newest first."""
    return views.list_events(session, newest_first=True)


@router.get("/events/{event_id}", response_model=EventDetail, tags=["events"])
def event(event_id: EventId, session: views.ReadSession = Depends(get_session)) -> dict[str, Any]:
    """One event with its assets."""
    return views.event_detail(session, event_id).to_json()
