"""The events as readers see them: the ``events`` list and one event's page.

Built here once for the CLI's ``events``, the web's start and event pages and the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mediaarchive.db import Asset, Event, Rendition
from mediaarchive.db.models import asset_events
from mediaarchive.errors import NotFoundError
from mediaarchive.services import audience
from mediaarchive.services.listing import AssetSummary

__all__ = [
    "PREVIEW_KINDS",
    "EventDetail",
    "EventSummary",
    "event_detail",
    "event_summaries",
    "list_events",
    "preview_kinds",
]

#: Renditions that picture an asset in lists, the better first.
PREVIEW_KINDS = ("thumbnail", "poster")


@dataclass(frozen=True)
class EventSummary:
    """An event with how many assets it holds, as ``events --json`` lists it."""

    id: int
    name: str
    date: str | None
    assets: int
    source: str | None
    description: str | None
    #: Links on the event's page that are not assets: ``{url, heading}``.
    page_links: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``events --json``: name, date, number of assets (plus source and page links)."""
        return {
            "name": self.name,
            "date": self.date,
            "assets": self.assets,
            "source": self.source,
            "description": self.description,
            "page_links": self.page_links,
        }


def list_events(session: Session, *, newest_first: bool = False) -> list[EventSummary]:
    """Every event with its asset count: in the order they were added, or newest date first."""
    counting = select(asset_events.c.event_id, func.count()).group_by(asset_events.c.event_id)
    clause = audience.asset_clause()
    if clause is not None:
        counting = counting.join(Asset, Asset.id == asset_events.c.asset_id).where(clause)
    counts = dict(session.execute(counting).all())
    query = select(Event).options(selectinload(Event.page_links))
    if (shown := audience.event_clause()) is not None:
        query = query.where(shown)
    if newest_first:
        query = query.order_by(Event.date.desc().nulls_last(), Event.name)
    else:
        query = query.order_by(Event.id)
    return [
        EventSummary(
            id=event.id,
            name=event.name,
            date=event.date,
            assets=counts.get(event.id, 0),
            source=event.source,
            description=event.description,
            page_links=[{"url": link.url, "heading": link.heading} for link in event.page_links],
        )
        for event in session.scalars(query)
    ]


def event_summaries(session: Session) -> list[dict[str, Any]]:
    """``events --json``: name, date, number of assets (plus source and page links)."""
    return [event.to_json() for event in list_events(session)]


def preview_kinds(session: Session, asset_ids: set[str]) -> dict[str, str]:
    """For each asset (by id) that has one, the rendition that pictures it: its thumbnail,
    else its poster."""
    if not asset_ids:
        return {}
    short = func.substr(Asset.sha256, 1, 12)
    rows = session.execute(
        select(short, Rendition.kind)
        .join(Rendition, Rendition.asset_id == Asset.id)
        .where(short.in_(asset_ids), Rendition.kind.in_(PREVIEW_KINDS), Rendition.label == "")
    ).all()
    kinds: dict[str, str] = {}
    for asset_id, kind in sorted(rows, key=lambda row: PREVIEW_KINDS.index(row[1])):
        kinds.setdefault(asset_id, kind)
    return kinds


@dataclass(frozen=True)
class EventDetail:
    """One event with its assets (the web's event page and ``/api/events/ID``)."""

    id: int
    name: str
    date: str | None
    description: str | None
    assets: list[AssetSummary]
    #: Asset id -> the rendition kind that pictures it (see ``preview_kinds``).
    previews: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "date": self.date,
            "description": self.description,
            "assets": [asset.to_json() for asset in self.assets],
        }


def event_detail(session: Session, event_id: int) -> EventDetail:
    """The event with this id and its assets.

    Raises:
        NotFoundError: no such event.
    """
    event = session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .options(
            selectinload(Event.assets).selectinload(Asset.events),
            selectinload(Event.assets).selectinload(Asset.jobs),
        )
    )
    if event is None or not audience.visible_event(event):
        raise NotFoundError(f"no event with id {event_id}: the start page lists the events")
    assets = [AssetSummary.of(asset) for asset in event.assets if audience.visible(asset)]
    return EventDetail(
        id=event.id,
        name=event.name,
        date=event.date,
        description=event.description,
        assets=assets,
        previews=preview_kinds(session, {asset.id for asset in assets}),
    )
