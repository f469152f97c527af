"""Turn a search's filters into ids and values any backend can apply.

Names are matched forgivingly (any spelling of umlauts, any case; an event name or speaker
may be given in part). Dates compare as ISO prefixes: ``--since 2024`` keeps 2024-05-01.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mediaarchive.dates import is_iso_date
from mediaarchive.db import Asset, Event
from mediaarchive.db.models import asset_events
from mediaarchive.errors import UserError
from mediaarchive.search.german import fold
from mediaarchive.search.hits import SearchFilters
from mediaarchive.vocabulary import ASSET_KINDS, HIT_SOURCES

__all__ = ["ResolvedFilters", "match_events", "normalise_date", "pick_events", "resolve_filters"]

_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def normalise_date(value: str | date | None, option: str) -> str | None:
    """An ISO date prefix (YYYY, YYYY-MM or YYYY-MM-DD) or a UserError naming the option."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not _ISO_DATE.match(text) or not is_iso_date(text):
        raise UserError(f"{option} {value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    return text


@dataclass
class ResolvedFilters:
    """Filters as ids and values. ``None`` means no restriction; ``nothing``: no hit can match."""

    event_ids: list[int] | None = None
    asset_ids: list[int] | None = None
    kind: str | None = None
    language: str | None = None
    source: str | None = None
    nothing: bool = False


def _folded(text: str) -> str:
    return " ".join(fold(text).split())


def match_events(session: Session, wanted: str) -> list[int]:
    """Ids of the events a read command's ``--event`` means (search, status, the web's filter).

    Any case and any spelling of umlauts; an event whose whole name it is wins, else every
    event whose name contains it ("labcamp" finds "Labcamp 4" and "Labcamp 5"). Commands
    that change things look an event up by its exact name instead.
    """
    return pick_events(session.execute(select(Event.id, Event.name).order_by(Event.id)), wanted)


def pick_events(events: Iterable[tuple[int, str]], wanted: str) -> list[int]:
    """``match_events`` over ``(id, name)`` pairs already read (in id order)."""
    folded = _folded(wanted)
    pairs = list(events)
    exact = [event_id for event_id, name in pairs if _folded(name) == folded]
    return exact or [event_id for event_id, name in pairs if folded in _folded(name)]


def resolve_filters(session: Session, filters: SearchFilters) -> ResolvedFilters:
    """Look up events, speakers and dates; check kind, source and dates (UserError if bad)."""
    resolved = ResolvedFilters()
    if filters.kind is not None:
        if filters.kind not in ASSET_KINDS:
            raise UserError(f"kind {filters.kind!r} is not one of {', '.join(ASSET_KINDS)}")
        resolved.kind = filters.kind
    if filters.source is not None:
        if filters.source not in HIT_SOURCES:
            raise UserError(f"source {filters.source!r} is not one of {', '.join(HIT_SOURCES)}")
        resolved.source = filters.source
    if filters.language is not None:
        resolved.language = _folded(filters.language)
    since = normalise_date(filters.since, "--since")
    until = normalise_date(filters.until, "--until")

    if filters.event is not None:
        resolved.event_ids = match_events(session, filters.event)
        if not resolved.event_ids:
            resolved.nothing = True

    if filters.speaker is not None or since is not None or until is not None:
        wanted_speaker = _folded(filters.speaker) if filters.speaker is not None else None
        event_dates: dict[int, list[str]] = {}
        if since is not None or until is not None:
            for asset_id, event_date in session.execute(
                select(asset_events.c.asset_id, Event.date).join(
                    Event, Event.id == asset_events.c.event_id
                )
            ):
                if event_date:
                    event_dates.setdefault(asset_id, []).append(event_date)
        asset_ids = []
        for asset_id, speakers, asset_date in session.execute(
            select(Asset.id, Asset.speakers, Asset.date)
        ):
            if wanted_speaker is not None and not any(
                wanted_speaker in _folded(str(name)) for name in speakers or []
            ):
                continue
            if since is not None or until is not None:
                dates = [asset_date] if asset_date else event_dates.get(asset_id, [])
                if not any(_in_range(d, since, until) for d in dates):
                    continue
            asset_ids.append(asset_id)
        resolved.asset_ids = asset_ids
        if not asset_ids:
            resolved.nothing = True
    if filters.public_only:
        public = set(
            session.scalars(
                select(Asset.id).where(Asset.visibility == "public", Asset.withdrawn_at.is_(None))
            )
        )
        allowed = public if resolved.asset_ids is None else public & set(resolved.asset_ids)
        resolved.asset_ids = sorted(allowed)
        if not allowed:
            resolved.nothing = True
    return resolved


def _in_range(value: str, since: str | None, until: str | None) -> bool:
    value = value.strip()[:10]
    if since is not None and value[: len(since)] < since:
        return False
    return not (until is not None and value[: len(until)] > until)
