"""What the web makes of the services' views: its own paths for an asset's files, and
values written for people. No queries here: the data comes from ``mediaarchive.services``.
"""

from __future__ import annotations

from typing import Any

from mediaarchive.services.media import SUBTITLE_FORMATS
from mediaarchive.services.pages import AssetPage
from mediaarchive.services.views import format_time

__all__ = [
    "PLAYABLE",
    "SHOWABLE",
    "SUBTITLE_FORMATS",
    "format_size",
    "format_time",
    "image_url",
    "playable",
    "rendition_url",
    "web_detail",
]

#: Browsers play these originals directly when there is no proxy yet.
PLAYABLE = (
    "video/mp4",
    "video/webm",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
    "audio/wav",
    "audio/x-wav",
    "audio/flac",
    "audio/webm",
    "video/ogg",
)
SHOWABLE = ("image/jpeg", "image/png", "image/webp", "image/gif", "image/avif")


def playable(page: AssetPage) -> tuple[str, str] | None:
    """(web path, mime) of what the player plays: the proxy, else a playable original."""
    asset = page.asset
    proxy = page.rendition("proxy")
    if proxy is not None:
        return f"/assets/{asset.id}/proxy", proxy.mime or "video/mp4"
    if asset.timed and (asset.mime or "") in PLAYABLE:
        return f"/assets/{asset.id}/original", asset.mime or ""
    return None


def image_url(page: AssetPage) -> str | None:
    """Where the page shows a still: the original if browsers show it, else the thumbnail."""
    base = f"/assets/{page.asset.id}"
    if (page.asset.mime or "") in SHOWABLE:
        return f"{base}/original"
    if page.rendition("thumbnail") is not None:
        return f"{base}/thumbnail"
    return None


def rendition_url(asset_id: str, kind: str, label: str = "") -> str | None:
    """Where the web serves a rendition, or None for the kinds it does not serve."""
    base = f"/assets/{asset_id}"
    if kind in ("proxy", "poster", "thumbnail") and not label:
        return f"{base}/{kind}"
    if kind == "slide" and label:
        return f"{base}/slides/{label}"
    if kind == "subtitles" and label in SUBTITLE_FORMATS:
        return f"{base}/subtitles.{label}"
    return None


def web_detail(document: dict[str, Any]) -> dict[str, Any]:
    """The show JSON of an asset with web paths instead of server paths.

    The web never reveals where the store lives on the server's disk: ``path`` is null and
    each rendition gets a ``url`` under the page's own origin.
    """
    asset_id = document["id"]
    if isinstance(document.get("original"), dict):
        document["original"]["path"] = None
        document["original"]["url"] = f"/assets/{asset_id}/original"
    for entry in document.get("renditions", []):
        entry["path"] = None
        entry["url"] = rendition_url(asset_id, entry.get("kind", ""), entry.get("label", ""))
    document["url"] = f"/assets/{asset_id}"
    return document


def format_size(size: int | None) -> str:
    """A byte count for people: ``12.3 MB``."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"  # pragma: no cover
