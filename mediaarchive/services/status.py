"""What is in the archive: the ``status`` listing, one asset's record, the events.

``--event`` here matches as in every read command (``search.filters.match_events``: any
case, any umlaut spelling, part of the name). An empty listing says why: an empty archive,
or which filter matched nothing.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import Asset, Event
from mediaarchive.search.filters import match_events
from mediaarchive.services.views import asset_detail, asset_summary, event_summaries, list_assets

__all__ = ["EMPTY_ARCHIVE", "StatusListing", "list_events", "list_status", "show_asset"]

EMPTY_ARCHIVE = "No assets yet: add some with 'mediaarchive ingest SOURCE'."


@dataclass
class StatusListing:
    """The ``status`` entries, and why there are none (for the user, on stderr)."""

    assets: list[dict[str, Any]] = field(default_factory=list)
    empty_reason: str | None = None


def list_status(
    archive: Archive,
    *,
    event: str | None = None,
    kind: str | None = None,
    state: str | None = None,
    withdrawn: bool = False,
) -> StatusListing:
    """Assets in ingest order (``status --json`` entries), filtered by event, kind, state;
    withdrawn assets only with ``withdrawn`` (``status --all``)."""
    with archive.session() as session:
        assets = [
            asset_summary(asset)
            for asset in list_assets(
                session, event=event, kind=kind, state=state, withdrawn=withdrawn
            )
        ]
        reason = None if assets else _why_empty(session, event, kind, state)
    return StatusListing(assets, reason)


def _why_empty(session: Session, event: str | None, kind: str | None, state: str | None) -> str:
    """EMPTY_ARCHIVE, or the filters that matched nothing, with what there is instead."""
    if not session.scalar(select(func.count()).select_from(Asset)):
        return EMPTY_ARCHIVE
    if not session.scalar(
        select(func.count()).select_from(Asset).where(Asset.withdrawn_at.is_(None))
    ):
        return "every asset is withdrawn: 'mediaarchive status --all' lists them"
    given = {
        option: value
        for option, value in (("--event", event), ("--kind", kind), ("--state", state))
        if value
    }
    alone = {"--event": {"event": event}, "--kind": {"kind": kind}, "--state": {"state": state}}
    # The filters that match nothing by themselves; else it is their combination.
    culprits = [option for option in given if not list_assets(session, **alone[option])] or list(
        given
    )
    hints = []
    if "--event" in culprits and event and not match_events(session, event):
        names = session.scalars(select(Event.name).order_by(Event.id)).all()
        hints.append(f"known events: {', '.join(names) or 'none'}")
    if "--kind" in culprits and len(culprits) == 1:
        hints.append(f"kinds here: {', '.join(_present(session, Asset.kind))}")
    if "--state" in culprits and len(culprits) == 1:
        hints.append(f"states now: {', '.join(_present(session, Asset.state))}")
    filters = " ".join(f"{option} {shlex.quote(given[option])}" for option in culprits)
    return "; ".join([f"no assets match {filters}", *hints])


def _present(session: Session, column: Any) -> list[str]:
    return sorted(session.scalars(select(column).distinct()).all())


def show_asset(archive: Archive, asset_id: str) -> dict[str, Any]:
    """``show --json``: everything known about one asset (ID: 6+ hex digits of its id).

    Raises:
        NotFoundError, AmbiguousIdError, UserError: see ``find_asset``.
    """
    with archive.session() as session:
        return asset_detail(archive, find_asset(session, asset_id))


def list_events(archive: Archive) -> list[dict[str, Any]]:
    """``events --json``: name, date and number of assets of each event."""
    with archive.session() as session:
        return event_summaries(session)
