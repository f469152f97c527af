"""Downloads and media: originals, renditions, subtitles and transcripts.

Blobs are streamed from the store with Range support (players seek with it). Which blob is
served is decided by the database row the asset id leads to (``services.media``); nothing
in the request becomes a path.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from starlette.requests import Request
from starlette.responses import Response

from mediaarchive.services import Archive, media, views
from mediaarchive.web.deps import get_archive, get_session
from mediaarchive.web.ranges import blob_response, content_disposition

router = APIRouter(tags=["downloads"])

ASSET_ID = r"^[0-9a-fA-F]{6,64}$"
#: An asset id in a URL: 6 to 64 hex digits of the sha256 (12 is what the archive shows).
AssetId = Annotated[
    str, Path(pattern=ASSET_ID, description="Asset id (≥ 6 hex digits).", examples=["3f2a9c81d0e4"])
]
#: An event id in a URL (database ids are 64-bit signed integers).
EventId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Event id.")]
BLOB_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The whole file.", "content": {"application/octet-stream": {}}},
    206: {
        "description": "The byte range asked for with a Range header.",
        "content": {"application/octet-stream": {}},
    },
    304: {"description": "Unchanged (If-None-Match)."},
    404: {"description": "No such asset or file, or the file is missing from the store."},
    416: {"description": "The range lies outside the file."},
    500: {"description": "The file is damaged: run 'mediaarchive repair'."},
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


def _send(request: Request, archive: Archive, blob: media.Blob, download: bool = False) -> Response:
    media.check_servable(archive, blob)  # GET and HEAD alike
    return blob_response(
        request,
        archive.store,
        blob.key,
        size=blob.size,
        sha256=blob.sha256,
        mime=blob.mime,
        filename=blob.filename,
        attachment=download,
    )


@blob_route("/assets/{asset_id}/original")
def original(
    request: Request,
    asset_id: AssetId,
    download: bool = False,
    archive: Archive = Depends(get_archive),
    session: views.ReadSession = Depends(get_session),
) -> Response:
    """The original file, byte for byte as archived (its sha256 is the ETag)."""
    return _send(request, archive, media.original(session, asset_id), download)


@blob_route("/assets/{asset_id}/proxy")
def proxy(
    request: Request,
    asset_id: AssetId,
    download: bool = False,
    archive: Archive = Depends(get_archive),
    session: views.ReadSession = Depends(get_session),
) -> Response:
    """The web proxy (MP4, H.264/AAC) that the player streams."""
    return _send(request, archive, media.rendition(session, asset_id, "proxy"), download)


@blob_route("/assets/{asset_id}/poster")
def poster(
    request: Request,
    asset_id: AssetId,
    archive: Archive = Depends(get_archive),
    session: views.ReadSession = Depends(get_session),
) -> Response:
    """A still frame of a video."""
    return _send(request, archive, media.rendition(session, asset_id, "poster"))


@blob_route("/assets/{asset_id}/thumbnail")
def thumbnail(
    request: Request,
    asset_id: AssetId,
    archive: Archive = Depends(get_archive),
    session: views.ReadSession = Depends(get_session),
) -> Response:
    """A small version of an image."""
    return _send(request, archive, media.rendition(session, asset_id, "thumbnail"))


@blob_route("/assets/{asset_id}/slides/{label}")
def slide(
    request: Request,
    asset_id: AssetId,
    label: str,
    archive: Archive = Depends(get_archive),
    session: views.ReadSession = Depends(get_session),
) -> Response:
    """A slide frame taken from a video."""
    return _send(request, archive, media.rendition(session, asset_id, "slide", label))


def _text_response(file: media.TextFile, download: bool) -> Response:
    return Response(
        file.text,
        media_type=file.mime,
        headers={"Content-Disposition": content_disposition(file.filename, attachment=download)},
    )


@router.get("/assets/{asset_id}/subtitles.{fmt}", response_class=Response, responses=TEXT_RESPONSES)
def subtitles(
    asset_id: AssetId,
    fmt: Literal["vtt", "srt", "txt", "json"],
    preset: Literal["default", "de-broadcast"] = "default",
    download: bool = False,
    session: views.ReadSession = Depends(get_session),
) -> Response:
    """Subtitles in a format and preset, made from the current transcript."""
    return _text_response(media.subtitle_file(session, asset_id, fmt, preset), download)


@router.get(
    "/assets/{asset_id}/transcript.{fmt}", response_class=Response, responses=TEXT_RESPONSES
)
def transcript_download(
    asset_id: AssetId,
    fmt: Literal["txt", "json"],
    download: bool = True,
    session: views.ReadSession = Depends(get_session),
) -> Response:
    """The current transcript: text with times, or JSON with segments and words."""
    return _text_response(media.transcript_file(session, asset_id, fmt), download)
