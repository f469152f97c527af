"""Downloads and media: originals, renditions, subtitles and transcripts.

Blobs are streamed from the store with Range support (players seek with it). Which blob is
served is decided by the database row the asset id leads to; nothing in the request
becomes a path.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from mediaarchive.archive import Archive
from mediaarchive.db import Asset, Rendition
from mediaarchive.errors import NotFoundError
from mediaarchive.subtitles import MIME_TYPES as SUBTITLE_MIME_TYPES
from mediaarchive.web import library
from mediaarchive.web.deps import get_archive, get_session, load_asset
from mediaarchive.web.ranges import blob_response, content_disposition

router = APIRouter(tags=["downloads"])

ASSET_ID = r"^[0-9a-fA-F]{6,64}$"
#: An asset id in a URL: 6 to 64 hex digits of the sha256 (12 is what the archive shows).
AssetId = Annotated[str, Path(pattern=ASSET_ID, description="Asset id (≥ 6 hex digits).",
                              examples=["3f2a9c81d0e4"])]
#: An event id in a URL (database ids are 64-bit signed integers).
EventId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Event id.")]
BLOB_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The whole file.", "content": {"application/octet-stream": {}}},
    206: {"description": "The byte range asked for with a Range header.",
          "content": {"application/octet-stream": {}}},
    304: {"description": "Unchanged (If-None-Match)."},
    404: {"description": "No such asset or file."},
    416: {"description": "The range lies outside the file."},
}
TEXT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file.", "content": {"text/plain": {}}},
    404: {"description": "No such asset, or no transcript yet."},
}


def blob_route(path: str):  # type: ignore[no-untyped-def]
    """GET (documented) and HEAD (same handler) for a route that serves a blob."""

    def register(func):  # type: ignore[no-untyped-def]
        router.head(path, include_in_schema=False)(func)
        return router.get(path, response_class=Response, responses=BLOB_RESPONSES)(func)

    return register


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-").lower()
    return slug[:60] or "asset"


def download_name(asset: Asset, suffix: str) -> str:
    """A file name for a download: the title's slug, the id and a suffix."""
    return f"{_slug(asset.title or asset.filename or 'asset')}-{asset.short_id}{suffix}"


def _rendition_response(request: Request, archive: Archive, asset: Asset,
                        item: Rendition | None, what: str, suffix: str,
                        download: bool) -> Response:
    if item is None:
        raise NotFoundError(f"asset {asset.short_id} has no {what} yet: process it with "
                            "'mediaarchive run'")
    return blob_response(request, archive.store, item.blob_key, size=item.size,
                         sha256=item.sha256, mime=item.mime,
                         filename=download_name(asset, suffix), attachment=download)


@blob_route("/assets/{asset_id}/original")
def original(request: Request, asset_id: AssetId,
             download: bool = False, archive: Archive = Depends(get_archive),
             session: Session = Depends(get_session)) -> Response:
    """The original file, byte for byte as archived (its sha256 is the ETag)."""
    asset = load_asset(session, asset_id)
    return blob_response(request, archive.store, asset.blob_key, size=asset.size,
                         sha256=asset.sha256, mime=asset.mime,
                         filename=asset.filename or download_name(asset, ""),
                         attachment=download)


@blob_route("/assets/{asset_id}/proxy")
def proxy(request: Request, asset_id: AssetId, download: bool = False,
          archive: Archive = Depends(get_archive),
          session: Session = Depends(get_session)) -> Response:
    """The web proxy (MP4, H.264/AAC) that the player streams."""
    asset = load_asset(session, asset_id)
    return _rendition_response(request, archive, asset, library.rendition(asset, "proxy"),
                               "web proxy", ".mp4", download)


@blob_route("/assets/{asset_id}/poster")
def poster(request: Request, asset_id: AssetId, archive: Archive = Depends(get_archive),
           session: Session = Depends(get_session)) -> Response:
    """A still frame of a video."""
    asset = load_asset(session, asset_id)
    item = library.rendition(asset, "poster")
    return _rendition_response(request, archive, asset, item, "poster frame",
                               _suffix(item), False)


@blob_route("/assets/{asset_id}/thumbnail")
def thumbnail(request: Request, asset_id: AssetId, archive: Archive = Depends(get_archive),
              session: Session = Depends(get_session)) -> Response:
    """A small version of an image."""
    asset = load_asset(session, asset_id)
    item = library.rendition(asset, "thumbnail")
    return _rendition_response(request, archive, asset, item, "thumbnail", _suffix(item), False)


@blob_route("/assets/{asset_id}/slides/{label}")
def slide(request: Request, asset_id: AssetId, label: str, archive: Archive = Depends(get_archive),
          session: Session = Depends(get_session)) -> Response:
    """A slide frame taken from a video."""
    asset = load_asset(session, asset_id)
    item = library.rendition(asset, "slide", label)
    return _rendition_response(request, archive, asset, item, f"slide {label!r}",
                               _suffix(item), False)


def _suffix(item: Rendition | None) -> str:
    mime = (item.mime if item else "") or ""
    return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(mime, "")


def _require_transcript(session: Session, asset: Asset):  # type: ignore[no-untyped-def]
    transcript = library.current_transcript(session, asset)
    if transcript is None:
        raise NotFoundError(f"asset {asset.short_id} has no transcript yet: transcribe it with "
                            f"'mediaarchive transcribe {asset.short_id}'")
    return transcript


@router.get("/assets/{asset_id}/subtitles.{fmt}", response_class=Response,
            responses=TEXT_RESPONSES)
def subtitles(asset_id: AssetId, fmt: Literal["vtt", "srt", "txt", "json"],
              preset: Literal["default", "de-broadcast"] = "default", download: bool = False,
              session: Session = Depends(get_session)) -> Response:
    """Subtitles in a format and preset, made from the current transcript."""
    asset = load_asset(session, asset_id)
    _require_transcript(session, asset)
    text = library.subtitles(session, asset, fmt, preset)
    suffix = f".{fmt}" if preset == "default" else f".{preset}.{fmt}"
    return Response(text, media_type=SUBTITLE_MIME_TYPES[fmt], headers={
        "Content-Disposition": content_disposition(download_name(asset, suffix),
                                                   attachment=download)})


@router.get("/assets/{asset_id}/transcript.{fmt}", response_class=Response,
            responses=TEXT_RESPONSES)
def transcript_download(asset_id: AssetId, fmt: Literal["txt", "json"], download: bool = True,
                        session: Session = Depends(get_session)) -> Response:
    """The current transcript: text with times, or JSON with segments and words."""
    asset = load_asset(session, asset_id)
    transcript = _require_transcript(session, asset)
    if fmt == "json":
        body = json.dumps(library.transcript_json(transcript), ensure_ascii=False, indent=1)
        media_type = "application/json"
    else:
        body = library.transcript_text(transcript)
        media_type = "text/plain; charset=utf-8"
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": content_disposition(
            download_name(asset, f".transcript.{fmt}"), attachment=download)})
