"""The HTML pages: search, event, asset (talk, image), each a few lines over the services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import HTMLResponse

from mediaarchive.errors import UserError
from mediaarchive.services import Archive, pages, search, views
from mediaarchive.services.accounts import may
from mediaarchive.vocabulary import ASSET_KINDS, HIT_SOURCES, AssetKind
from mediaarchive.web import library
from mediaarchive.web.auth import csrf_token, current_account
from mediaarchive.web.deps import get_archive, get_session
from mediaarchive.web.media import EventId
from mediaarchive.web.rendering import render

router = APIRouter(include_in_schema=False)

PAGE_LIMIT = 50


def search_filters(
    event: str, speaker: str, kind: str, source: str, since: str, until: str
) -> dict[str, str]:
    """The filters a user set, with nonsense values dropped rather than failing the page."""
    filters = {
        "event": event.strip()[:500],
        "speaker": speaker.strip()[:200],
        "kind": kind if kind in ASSET_KINDS else "",
        "source": source if source in HIT_SOURCES else "",
        # A malformed date goes through: the search's message then says how to write one.
        "since": since.strip()[:40],
        "until": until.strip()[:40],
    }
    return {name: value for name, value in filters.items() if value}


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = "",
    event: str = "",
    speaker: str = "",
    kind: str = "",
    source: str = "",
    since: str = "",
    until: str = "",
    archive: Archive = Depends(get_archive),
    session: views.ReadSession = Depends(get_session),
) -> HTMLResponse:
    """The start page: the search box, the hits, the events."""
    query = q.strip()[:500]
    filters = search_filters(event, speaker, kind, source, since, until)
    problem = None
    try:
        result = search.find(archive, query, limit=PAGE_LIMIT, **filters) if query else None
    except UserError as exc:  # a filter the search cannot use: say so above the form
        result, problem = None, str(exc)
    found = result.hits if result else []
    suggestion = result.suggestions[0] if result and result.suggestions else None
    events = views.list_events(session, newest_first=True)
    event_ids = {item.name: item.id for item in events}
    previews = views.preview_kinds(session, {hit.asset_id for hit in found})
    hits = []
    for hit in found:
        preview = previews.get(hit.asset_id)
        hits.append(
            {
                **hit.to_json(),
                "url": f"/assets/{hit.asset_id}"
                + (f"#t={hit.start:.2f}" if hit.start is not None else ""),
                "event_id": event_ids.get(hit.event or ""),
                "preview": f"/assets/{hit.asset_id}/{preview}" if preview else None,
            }
        )
    return render(
        request,
        "search.html",
        {
            "q": query,
            "filters": filters,
            "hits": hits,
            "events": events,
            "problem": problem,
            "suggestion": suggestion,
            # The suggested search keeps the filters the user set.
            "suggestion_url": "/?" + urlencode({"q": suggestion, **filters})
            if suggestion
            else None,
            "speakers": pages.known_speakers(session),
            "kinds": ASSET_KINDS,
            "sources": HIT_SOURCES,
        },
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(
    request: Request, event_id: EventId, session: views.ReadSession = Depends(get_session)
) -> HTMLResponse:
    """An event with its assets, each with its poster or thumbnail."""
    event = views.event_detail(session, event_id)
    assets = sorted(event.assets, key=lambda a: ((a.date or ""), (a.title or a.filename or "")))
    items = [{"asset": asset, "preview": event.previews.get(asset.id)} for asset in assets]
    return render(request, "event.html", {"event": event, "items": items})


@router.get("/assets/{asset_id}", response_class=HTMLResponse)
def asset_page(
    request: Request,
    asset_id: str,
    archive: Archive = Depends(get_archive),
    session: views.ReadSession = Depends(get_session),
) -> HTMLResponse:
    """A talk (player, subtitles, transcript), an image (with its text) or another file.

    For an editor the transcript's lines become editable in place (``static/editor.js``)."""
    page = pages.asset_page(session, asset_id, threshold=archive.settings.low_confidence_threshold)
    context = asset_context(page)
    account = current_account(request)
    context["may_edit"] = may(account, "editor")
    if context["may_edit"]:
        context["csrf"] = csrf_token(request)
    return render(request, "asset.html", context)


def asset_context(page: pages.AssetPage) -> dict[str, Any]:
    """Everything the asset page shows, with the web's paths."""
    asset = page.asset
    base = f"/assets/{asset.id}"
    return {
        "asset": asset,
        "title": asset.label,
        "base": base,
        "player": library.playable(page),
        "poster_url": f"{base}/poster" if page.rendition("poster") is not None else None,
        "segments": page.segments,
        "has_transcript": bool(page.segments),
        "track_language": page.transcript_language or "de",
        "image_url": library.image_url(page) if asset.kind == AssetKind.IMAGE else None,
        "image_texts": page.image_texts,
        "slides": [
            {
                "ocr": slide,
                "image": library.rendition_url(asset.id, "slide", slide.label)
                if slide.label
                else None,
            }
            for slide in page.slides
        ],
        "proxy": page.rendition("proxy"),
        "duration": asset.duration,
        "subtitle_formats": library.SUBTITLE_FORMATS,
    }
