"""An asset's files as downloads: which stored blob is the original or a rendition, and the
subtitle and transcript files made on request.

The asset is always named by its id; which blob is served is decided by the database row
that id leads to, so nothing a caller passes becomes a path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mediaarchive.archive import Archive
from mediaarchive.db import Asset, Rendition
from mediaarchive.errors import DamagedError, NotFoundError
from mediaarchive.services.views import format_time, lookup_asset, require_transcript
from mediaarchive.services.views import transcript_json as _transcript_json
from mediaarchive.subtitles import DEFAULT_PRESET, MIME_TYPES, render_subtitles
from mediaarchive.subtitles import FORMATS as SUBTITLE_FORMATS

__all__ = [
    "SUBTITLE_FORMATS",
    "Blob",
    "TextFile",
    "check_servable",
    "original",
    "rendition",
    "subtitle_file",
    "transcript_file",
]

#: What a missing rendition is called in the message that says it is not there yet.
_RENDITION_NAMES = {"proxy": "web proxy", "poster": "poster frame", "thumbnail": "thumbnail"}
_IMAGE_SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


@dataclass(frozen=True)
class Blob:
    """A stored file to send: its key in the archive's store and what it is."""

    key: str
    size: int
    sha256: str
    mime: str | None
    #: The name the file gets when it is downloaded.
    filename: str
    #: None, or "corrupt"/"missing" as the last full read or verify found it.
    damaged: str | None = None
    #: What the file is, in messages ("original of asset 3f2a9c81d0e4").
    label: str = ""
    #: The id of the asset it belongs to.
    asset_id: str = ""


@dataclass(frozen=True)
class TextFile:
    """A file made on request (subtitles, a transcript)."""

    text: str
    mime: str
    filename: str


def download_name(asset: Asset, suffix: str) -> str:
    """A file name for a download: the title's slug, the id and a suffix."""
    slug = (
        re.sub(r"[^\w]+", "-", asset.title or asset.filename or "asset", flags=re.UNICODE)
        .strip("-")
        .lower()
    )
    return f"{slug[:60] or 'asset'}-{asset.short_id}{suffix}"


def original(session: Session, asset_id: str) -> Blob:
    """The original file, byte for byte as archived.

    Raises:
        NotFoundError, AmbiguousIdError, UserError: for an id that names no single asset.
    """
    asset = lookup_asset(session, asset_id)
    return Blob(
        asset.blob_key,
        asset.size,
        asset.sha256,
        asset.mime,
        asset.filename or download_name(asset, ""),
        asset.damaged,
        f"original of asset {asset.short_id}",
        asset.short_id,
    )


def rendition(session: Session, asset_id: str, kind: str, label: str = "") -> Blob:
    """A derived file of the asset: its ``proxy``, ``poster``, ``thumbnail``, a ``slide``…

    Raises:
        NotFoundError: no such asset, or it has no such rendition yet.
    """
    asset = lookup_asset(session, asset_id)
    item: Rendition | None = next(
        (r for r in asset.renditions if r.kind == kind and r.label == label), None
    )
    if item is None:
        what = f"{kind} {label!r}" if label else _RENDITION_NAMES.get(kind, kind)
        raise NotFoundError(
            f"asset {asset.short_id} has no {what} yet: process it with 'mediaarchive run'"
        )
    suffix = ".mp4" if kind == "proxy" else _IMAGE_SUFFIXES.get(item.mime or "", "")
    return Blob(
        item.blob_key,
        item.size,
        item.sha256,
        item.mime,
        download_name(asset, suffix),
        item.damaged,
        f"{kind} of asset {asset.short_id}",
        asset.short_id,
    )


def check_servable(archive: Archive, blob: Blob) -> None:
    """Refuse to serve a blob that is known to be damaged or is not in the store.

    A Range request cannot be hashed, so serving trusts the damaged mark that full reads
    and ``verify`` set. The messages name no path of the store.

    Raises:
        DamagedError: marked corrupt (HTTP 500).
        NotFoundError: missing from the store (HTTP 404).
    """
    if blob.damaged == "corrupt":
        raise DamagedError(
            f"the {blob.label} is damaged, run 'mediaarchive repair {blob.asset_id}'",
            key=blob.key,
            expected=blob.sha256,
            actual="",
        )
    if blob.damaged == "missing" or not archive.store.exists(blob.key):
        raise NotFoundError(
            f"the {blob.label} is missing from the store, run 'mediaarchive repair {blob.asset_id}'"
        )


def subtitle_file(
    session: Session, asset_id: str, fmt: str, preset: str = DEFAULT_PRESET
) -> TextFile:
    """The asset's subtitles in a format (vtt, srt, txt, json) and preset, made from its
    current transcript.

    Raises:
        NotFoundError: no such asset, or it has no transcript yet.
        UserError: an unknown format or preset.
    """
    asset = lookup_asset(session, asset_id)
    require_transcript(session, asset)
    text = render_subtitles(session, asset, fmt, preset)
    suffix = f".{fmt}" if preset == DEFAULT_PRESET else f".{preset}.{fmt}"
    return TextFile(text, MIME_TYPES[fmt], download_name(asset, suffix))


def transcript_file(session: Session, asset_id: str, fmt: str) -> TextFile:
    """The current transcript as ``txt`` (a line per segment, with its time) or ``json``
    (segments with their words, as ``show --json`` has them).

    Raises:
        NotFoundError: no such asset, or it has no transcript yet.
    """
    asset = lookup_asset(session, asset_id)
    transcript = require_transcript(session, asset)
    if fmt == "json":
        text = json.dumps(_transcript_json(transcript), ensure_ascii=False, indent=1)
        mime = "application/json"
    else:
        text = "".join(
            f"[{format_time(segment.start)}] {segment.text.strip()}\n"
            for segment in transcript.segments
        )
        mime = "text/plain; charset=utf-8"
    return TextFile(text, mime, download_name(asset, f".transcript.{fmt}"))
