"""What the web reads from the archive: read-only queries and the library calls it wraps.

Every route is a few lines over these functions; they hold no HTTP knowledge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mediaarchive.services import views as records
from mediaarchive.archive import Archive
from mediaarchive.db import Asset, Event, Rendition, Transcript
from mediaarchive.db.models import asset_events
from mediaarchive.errors import NotFoundError
from mediaarchive.search import search
from mediaarchive.subtitles import FORMATS as SUBTITLE_FORMATS
from mediaarchive.subtitles import render_subtitles
from mediaarchive.subtitles.render import segments_json

#: Browsers play these originals directly when there is no proxy yet.
PLAYABLE = ("video/mp4", "video/webm", "audio/mpeg", "audio/mp4", "audio/ogg", "audio/wav",
            "audio/x-wav", "audio/flac", "audio/webm", "video/ogg")
SHOWABLE = ("image/jpeg", "image/png", "image/webp", "image/gif", "image/avif")


@dataclass(frozen=True)
class EventCount:
    """An event with how many assets it holds."""

    id: int
    name: str
    date: str | None
    assets: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "date": self.date, "assets": self.assets}


def list_events(session: Session) -> list[EventCount]:
    """Every event with its asset count, newest date first."""
    rows = session.execute(
        select(Event.id, Event.name, Event.date, func.count(asset_events.c.asset_id))
        .outerjoin(asset_events, asset_events.c.event_id == Event.id)
        .group_by(Event.id)
        .order_by(Event.date.desc().nulls_last(), Event.name)
    ).all()
    return [EventCount(*row) for row in rows]


def get_event(session: Session, event_id: int) -> Event:
    """The event with this id, its assets and their renditions loaded.

    Raises:
        NotFoundError: no such event.
    """
    event = session.scalar(
        select(Event).where(Event.id == event_id).options(
            selectinload(Event.assets).selectinload(Asset.renditions),
            selectinload(Event.assets).selectinload(Asset.events),
        )
    )
    if event is None:
        raise NotFoundError(f"no event with id {event_id}: the start page lists the events")
    return event


def list_assets(session: Session, *, event: str | None = None, kind: str | None = None,
                state: str | None = None) -> list[Asset]:
    """Assets, filtered like ``mediaarchive status``, oldest first."""
    query = select(Asset).options(selectinload(Asset.events), selectinload(Asset.jobs))
    if event:
        query = query.where(Asset.events.any(Event.name == event))
    if kind:
        query = query.where(Asset.kind == kind)
    if state:
        query = query.where(Asset.state == state)
    return list(session.scalars(query.order_by(Asset.id)))


def known_speakers(session: Session) -> list[str]:
    """Every speaker named on some asset, sorted (for the filter's suggestions)."""
    names: set[str] = set()
    for speakers in session.scalars(select(Asset.speakers)):
        names.update(str(name) for name in speakers or [])
    return sorted(names, key=str.casefold)


def rendition(asset: Asset, kind: str, label: str = "") -> Rendition | None:
    """The asset's rendition of this kind and label."""
    for candidate in asset.renditions:
        if candidate.kind == kind and candidate.label == label:
            return candidate
    return None


def renditions_of(asset: Asset, kind: str) -> list[Rendition]:
    """All of the asset's renditions of one kind, by label."""
    return sorted((r for r in asset.renditions if r.kind == kind), key=lambda r: r.label)


def preview_image(asset: Asset) -> Rendition | None:
    """The small picture that stands for an asset: its thumbnail or poster."""
    return rendition(asset, "thumbnail") or rendition(asset, "poster")


def playable(asset: Asset) -> tuple[str, str] | None:
    """(web path, mime) of what the player plays: the proxy, else a playable original."""
    proxy = rendition(asset, "proxy")
    if proxy is not None:
        return f"/assets/{asset.short_id}/proxy", proxy.mime or "video/mp4"
    if asset.kind in ("video", "audio") and (asset.mime or "") in PLAYABLE:
        return f"/assets/{asset.short_id}/original", asset.mime or ""
    return None


def current_transcript(session: Session, asset: Asset) -> Transcript | None:
    """The asset's current transcript with its segments (words not loaded)."""
    return session.scalar(
        select(Transcript)
        .where(Transcript.asset_id == asset.id, Transcript.current.is_(True))
        .order_by(Transcript.id.desc())
        .options(selectinload(Transcript.segments))
        .limit(1)
    )


def transcript_json(transcript: Transcript) -> dict[str, Any]:
    """A transcript as the show JSON's ``transcript`` (segments with words)."""
    return {
        "id": transcript.id,
        "model": transcript.model,
        "language": transcript.language,
        "provenance": transcript.provenance or {},
        "segments": segments_json(transcript),
    }


def transcript_text(transcript: Transcript) -> str:
    """A plain-text transcript, one segment a line with its time."""
    return "".join(
        f"[{format_time(segment.start)}] {segment.text.strip()}\n"
        for segment in transcript.segments
    )


def format_time(seconds: float | None) -> str:
    """``1:02:03`` or ``2:03`` for a time in seconds."""
    if seconds is None:
        return ""
    total = int(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


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


# --- The other parts' library calls -----------------------------------------------------


def search_hits(archive: Archive, query: str, **filters: Any) -> list[dict[str, Any]]:
    """Search hits as the contract's JSON dicts (best first)."""
    return [hit.to_json() for hit in search(archive, query, **filters)]


def subtitles(session: Session, asset: Asset, fmt: str, preset: str) -> str:
    """The asset's subtitles in a format (vtt, srt, txt, json) and preset."""
    return render_subtitles(session, asset, fmt, preset)


def asset_summary(asset: Asset) -> dict[str, Any]:
    """The status JSON of an asset."""
    return records.asset_summary(asset)


def asset_detail(archive: Archive, asset: Asset) -> dict[str, Any]:
    """The show JSON of an asset, with web paths instead of server paths.

    The web never reveals where the store lives on the server's disk: ``path`` is null and
    each rendition gets a ``url`` under the page's own origin.
    """
    document = records.asset_detail(archive, asset)
    if isinstance(document.get("original"), dict):
        document["original"]["path"] = None
        document["original"]["url"] = f"/assets/{asset.short_id}/original"
    for entry in document.get("renditions", []):
        entry["path"] = None
        entry["url"] = rendition_url(asset, entry.get("kind", ""), entry.get("label", ""))
    document["url"] = f"/assets/{asset.short_id}"
    return document


def rendition_url(asset: Asset, kind: str, label: str = "") -> str | None:
    """Where the web serves a rendition, or None for the kinds it does not serve."""
    base = f"/assets/{asset.short_id}"
    if kind in ("proxy", "poster", "thumbnail") and not label:
        return f"{base}/{kind}"
    if kind == "slide" and label:
        return f"{base}/slides/{label}"
    if kind == "subtitles" and label in SUBTITLE_FORMATS:
        return f"{base}/subtitles.{label}"
    return None
