"""History: every change a person made, recorded once and read back (``history ID``).

Every curation use case (metadata edits, event renames and merges, re-ingest updates,
transcript revisions, review) records its changes through ``record_change`` in the
caller's transaction, so a change and its record are saved together or not at all.
"""

from __future__ import annotations

import getpass
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import Asset, AuditRecord, Event
from mediaarchive.db.models import asset_events

__all__ = ["HistoryEntry", "asset_history", "current_user", "record_change"]


def current_user(by: str | None = None) -> str:
    """Who makes a change: ``by`` when given, else the operating system's user."""
    if by and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container) and no LOGNAME
        return "unknown"


def record_change(
    session: Session,
    *,
    action: str,
    by: str,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    note: str | None = None,
    asset: Asset | None = None,
    event: Event | None = None,
    transcript_id: int | None = None,
) -> AuditRecord:
    """Add one audit record in the caller's transaction."""
    record = AuditRecord(
        by=by,
        action=str(action),
        field=field,
        old=old,
        new=new,
        note=note,
        asset_id=asset.id if asset is not None else None,
        asset_sha256=asset.sha256 if asset is not None else None,
        event_id=event.id if event is not None else None,
        event_name=event.name if event is not None else None,
        transcript_id=transcript_id,
    )
    session.add(record)
    return record


@dataclass
class HistoryEntry:
    """One change (``history --json`` entry: time, by, action, field, old, new, note)."""

    time: datetime
    by: str | None
    action: str
    field: str | None
    old: Any
    new: Any
    note: str | None
    #: The event the change was made to, for changes of an event the asset belongs to.
    event: str | None = None
    transcript: int | None = None

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["time"] = self.time.isoformat()
        return document


def asset_history(archive: Archive, asset_id: str) -> list[HistoryEntry]:
    """Every change of the asset and of the events it belongs to, oldest first.

    Raises:
        NotFoundError, AmbiguousIdError, UserError: the id names no single asset.
    """
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        event_ids = select(asset_events.c.event_id).where(asset_events.c.asset_id == asset.id)
        records = session.scalars(
            select(AuditRecord)
            .where(
                or_(
                    AuditRecord.asset_id == asset.id,
                    AuditRecord.asset_sha256 == asset.sha256,
                    (AuditRecord.asset_id.is_(None) & AuditRecord.event_id.in_(event_ids)),
                )
            )
            .order_by(AuditRecord.created_at, AuditRecord.id)
        ).all()
        return [
            HistoryEntry(
                time=record.created_at,
                by=record.by,
                action=record.action,
                field=record.field,
                old=record.old,
                new=record.new,
                note=record.note,
                event=record.event_name,
                transcript=record.transcript_id,
            )
            for record in records
        ]
