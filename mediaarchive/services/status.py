"""What is in the archive: the ``status`` listing, one asset's record, the events.

``--event`` here matches as in every read command (``search.filters.match_events``: any
case, any umlaut spelling, part of the name). An empty listing says why: an empty archive,
or which filter matched nothing.

``status`` reads with a few plain SQL queries (``Archive.reader``, ``listing``) and imports
neither SQLAlchemy's ORM nor Alembic when the schema is current: it is what an archivist
runs most, on archives of thousands of assets.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db.plain import PlainReader
from mediaarchive.services.listing import list_assets, matching_events
from mediaarchive.vocabulary import SourceState

__all__ = ["EMPTY_ARCHIVE", "StatusListing", "list_events", "list_status", "show_asset"]

EMPTY_ARCHIVE = "No assets yet: add some with 'mediaarchive ingest SOURCE'."


@dataclass
class StatusListing:
    """The ``status`` entries, and why there are none (for the user, on stderr)."""

    assets: list[dict[str, Any]] = field(default_factory=list)
    empty_reason: str | None = None
    #: Links that failed to fetch, so they have no asset to list ('mediaarchive sources').
    failed_sources: int = 0


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
    with archive.reader() as reader:
        assets = [
            asset.to_json()
            for asset in list_assets(
                reader, event=event, kind=kind, state=state, withdrawn=withdrawn
            )
        ]
        reason = None if assets else _why_empty(reader, event, kind, state)
        ((failed,),) = reader.rows(
            "SELECT count(*) FROM sources WHERE state = :state", state=SourceState.FAILED.value
        )
    return StatusListing(assets, reason, int(failed))


def _why_empty(reader: PlainReader, event: str | None, kind: str | None, state: str | None) -> str:
    """EMPTY_ARCHIVE, or the filters that matched nothing, with what there is instead."""
    ((assets, kept),) = reader.rows("SELECT count(*), count(*) - count(withdrawn_at) FROM assets")
    if not assets:
        return EMPTY_ARCHIVE
    if not kept:
        return "every asset is withdrawn: 'mediaarchive status --all' lists them"
    given = {
        option: value
        for option, value in (("--event", event), ("--kind", kind), ("--state", state))
        if value
    }
    alone = {"--event": {"event": event}, "--kind": {"kind": kind}, "--state": {"state": state}}
    # The filters that match nothing by themselves; else it is their combination.
    culprits = [option for option in given if not list_assets(reader, **alone[option])] or list(
        given
    )
    hints = []
    if "--event" in culprits and event and not matching_events(reader, event):
        names = [name for (name,) in reader.rows("SELECT name FROM events ORDER BY id")]
        hints.append(f"known events: {', '.join(names) or 'none'}")
    if "--kind" in culprits and len(culprits) == 1:
        hints.append(f"kinds here: {', '.join(_present(reader, 'kind'))}")
    if "--state" in culprits and len(culprits) == 1:
        hints.append(f"states now: {', '.join(_present(reader, 'state'))}")
    filters = " ".join(f"{option} {shlex.quote(given[option])}" for option in culprits)
    return "; ".join([f"no assets match {filters}", *hints])


def _present(reader: PlainReader, column: str) -> list[str]:
    """The values of an assets column (``kind``, ``state``) that occur."""
    return sorted(value for (value,) in reader.rows(f"SELECT DISTINCT {column} FROM assets"))


def show_asset(archive: Archive, asset_id: str) -> dict[str, Any]:
    """``show --json``: everything known about one asset (ID: 6+ hex digits of its id).

    Raises:
        NotFoundError, AmbiguousIdError, UserError: see ``find_asset``.
    """
    # The full record reads through the ORM; ``status`` never loads it.
    from mediaarchive.services.views import asset_detail

    with archive.session() as session:
        return asset_detail(archive, find_asset(session, asset_id))


def list_events(archive: Archive) -> list[dict[str, Any]]:
    """``events --json``: name, date and number of assets of each event."""
    from mediaarchive.services.event_views import event_summaries

    with archive.session() as session:
        return event_summaries(session)
