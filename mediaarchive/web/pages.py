"""The HTML pages: search, event, asset (talk, image), each a few lines over the library."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse

from mediaarchive.archive import Archive
from mediaarchive.db import Asset, OcrText, Rendition
from mediaarchive.vocabulary import ASSET_KINDS
from mediaarchive.errors import UserError
from mediaarchive.web import library
from mediaarchive.web.deps import get_archive, get_session, load_asset
from mediaarchive.web.media import EventId
from mediaarchive.web.rendering import render

router = APIRouter(include_in_schema=False)

SOURCES = ("speech", "slide", "image", "metadata")
PAGE_LIMIT = 50


def search_filters(event: str, speaker: str, kind: str, source: str, since: str,
                   until: str) -> dict[str, str]:
    """The filters a user set, with nonsense values dropped rather than failing the page."""
    filters = {
        "event": event.strip()[:500],
        "speaker": speaker.strip()[:200],
        "kind": kind if kind in ASSET_KINDS else "",
        "source": source if source in SOURCES else "",
        # A malformed date goes through: the search's message then says how to write one.
        "since": since.strip()[:40],
        "until": until.strip()[:40],
    }
    return {name: value for name, value in filters.items() if value}


def preview_urls(session: Session, short_ids: set[str]) -> dict[str, str]:
    """The picture (thumbnail, else poster) URL of each asset that has one."""
    if not short_ids:
        return {}
    short = func.substr(Asset.sha256, 1, 12)
    rows = session.execute(
        select(short, Rendition.kind).join(Rendition, Rendition.asset_id == Asset.id)
        .where(short.in_(short_ids), Rendition.kind.in_(("thumbnail", "poster")),
               Rendition.label == "")
    ).all()
    urls: dict[str, str] = {}
    for short_id, kind in sorted(rows, key=lambda row: row[1] != "thumbnail"):
        urls.setdefault(short_id, f"/assets/{short_id}/{kind}")
    return urls


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", event: str = "", speaker: str = "",
                kind: str = "", source: str = "", since: str = "", until: str = "",
                archive: Archive = Depends(get_archive),
                session: Session = Depends(get_session)) -> HTMLResponse:
    """The start page: the search box, the hits, the events."""
    query = q.strip()[:500]
    filters = search_filters(event, speaker, kind, source, since, until)
    problem = None
    try:
        hits = library.search_hits(archive, query, limit=PAGE_LIMIT, **filters) if query else []
    except UserError as exc:  # a filter the search cannot use: say so above the form
        hits, problem = [], str(exc)
    events = library.list_events(session)
    event_ids = {item.name: item.id for item in events}
    previews = preview_urls(session, {hit["asset_id"] for hit in hits})
    for hit in hits:
        hit["url"] = f"/assets/{hit['asset_id']}" + (
            f"#t={hit['start']:.2f}" if hit.get("start") is not None else "")
        hit["event_id"] = event_ids.get(hit.get("event") or "")
        hit["preview"] = previews.get(hit["asset_id"])
    return render(request, "search.html", {
        "q": query, "filters": filters, "hits": hits, "events": events, "problem": problem,
        "speakers": library.known_speakers(session), "kinds": ASSET_KINDS, "sources": SOURCES,
    })


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: EventId,
               session: Session = Depends(get_session)) -> HTMLResponse:
    """An event with its assets, each with its poster or thumbnail."""
    event = library.get_event(session, event_id)
    assets = sorted(event.assets, key=lambda a: ((a.date or ""), (a.title or a.filename or "")))
    items = [{"asset": asset, "preview": library.preview_image(asset),
              "duration": (asset.probe or {}).get("duration")} for asset in assets]
    return render(request, "event.html", {"event": event, "items": items})


@router.get("/assets/{asset_id}", response_class=HTMLResponse)
def asset_page(request: Request, asset_id: str,
               session: Session = Depends(get_session)) -> HTMLResponse:
    """A talk (player, subtitles, transcript), an image (with its text) or another file."""
    asset = load_asset(session, asset_id)
    return render(request, "asset.html", asset_context(session, asset))


def asset_context(session: Session, asset: Asset) -> dict[str, Any]:
    """Everything the asset page shows."""
    base = f"/assets/{asset.short_id}"
    transcript = library.current_transcript(session, asset)
    segments = transcript.segments if transcript else []
    ocr_texts = list(session.scalars(
        select(OcrText).where(OcrText.asset_id == asset.id).order_by(OcrText.start, OcrText.id)))
    slide_urls = {r.id: library.rendition_url(asset, r.kind, r.label)
                  for r in library.renditions_of(asset, "slide")}
    slides = [{"ocr": text, "image": slide_urls.get(text.rendition_id or -1)}
              for text in ocr_texts if text.source == "slide"]
    image_url = None
    if asset.kind == "image":
        if (asset.mime or "") in library.SHOWABLE:
            image_url = f"{base}/original"
        elif library.rendition(asset, "thumbnail") is not None:
            image_url = f"{base}/thumbnail"
    poster = library.rendition(asset, "poster")
    proxy = library.rendition(asset, "proxy")
    return {
        "asset": asset,
        "title": asset.title or asset.filename or asset.short_id,
        "base": base,
        "player": library.playable(asset),
        "poster_url": f"{base}/poster" if poster is not None else None,
        "segments": segments,
        "has_transcript": bool(segments),
        "image_url": image_url,
        "image_texts": [text for text in ocr_texts if text.source != "slide"],
        "slides": slides,
        "proxy": proxy,
        "duration": (asset.probe or {}).get("duration"),
        "subtitle_formats": library.SUBTITLE_FORMATS,
    }
