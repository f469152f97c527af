"""Metadata edits: an asset's title, description, speakers, date, language and events;
an event's name, date and description; merging two events.

Every change is checked first (nothing is saved when one value is wrong), recorded with who
made it (``services.history``) and re-indexed at once, in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import Asset, Event, PageLink
from mediaarchive.errors import NotFoundError, UserError
from mediaarchive.search import index_asset
from mediaarchive.services.history import current_user, record_change
from mediaarchive.vocabulary import AuditAction

__all__ = [
    "EDITABLE_FIELDS",
    "EventChange",
    "FieldChange",
    "MetadataEdit",
    "apply_fields",
    "check_date",
    "check_fields",
    "edit_asset",
    "edit_event",
    "merge_events",
    "reingest_changes",
    "rename_event",
]

#: Asset fields ``edit`` changes (``speakers`` is a list of names).
EDITABLE_FIELDS = ("title", "description", "speakers", "date", "language", "visibility")
VISIBILITIES = ("internal", "public")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2})?$")


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class MetadataEdit:
    """What an edit changed (``edit --json``)."""

    id: str
    title: str | None
    changes: list[FieldChange] = field(default_factory=list)
    #: Search documents written again.
    indexed: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EventChange:
    """What ``events rename|merge|edit`` changed."""

    event: str
    changes: list[FieldChange] = field(default_factory=list)
    #: Assets of the event (after a merge: every asset it holds now).
    assets: int = 0
    #: Assets that moved (merge).
    moved: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_date(value: str) -> str:
    """A date as the archive keeps it: YYYY-MM-DD (or YYYY-MM, YYYY).

    Raises:
        UserError: it does not parse.
    """
    text = value.strip()
    if _PARTIAL_DATE.match(text):
        if len(text) == 7 and not 1 <= int(text[5:]) <= 12:
            raise UserError(f"date {value!r} has no month {text[5:]}: give YYYY-MM-DD")
        return text
    try:
        return Date.fromisoformat(text).isoformat()
    except ValueError:
        raise UserError(f"date {value!r} is not a date: give YYYY-MM-DD") from None


def check_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes checked and normalised; an empty string (or list) clears a field.

    Raises:
        UserError: an unknown field or a value that is not valid for its field.
    """
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise UserError(
                f"unknown field {name!r}: editable fields are {', '.join(EDITABLE_FIELDS)}"
            )
        if name == "speakers":
            if isinstance(value, str):
                value = [value]
            names = [str(v).strip() for v in value or [] if str(v).strip()]
            checked[name] = names
            continue
        if value is not None and not isinstance(value, str):
            raise UserError(f"field {name!r} takes text, not {type(value).__name__}")
        text = (value or "").strip()
        if not text:
            if name == "title":
                raise UserError("a title cannot be empty: give the asset a title")
            if name == "visibility":
                raise UserError("give a visibility: internal or public")
            checked[name] = None
        elif name == "date":
            checked[name] = check_date(text)
        elif name == "visibility":
            if text not in VISIBILITIES:
                raise UserError(f"visibility {text!r} is not one of: {', '.join(VISIBILITIES)}")
            checked[name] = text
        elif name == "language":
            if not _LANGUAGE.match(text):
                raise UserError(f"language {text!r} is not a language code: give e.g. de, en")
            checked[name] = text.lower().replace("_", "-")
        else:
            checked[name] = text
    return checked


def apply_fields(
    session: Session,
    asset: Asset,
    changes: Mapping[str, Any],
    *,
    by: str,
    action: str = AuditAction.EDIT,
    note: str | None = None,
) -> list[FieldChange]:
    """Set checked fields on the asset, one audit record per value that differs."""
    done: list[FieldChange] = []
    for name, new in changes.items():
        old = getattr(asset, name)
        if name == "speakers":
            old = list(old or [])
        if old == new:
            continue
        setattr(asset, name, new)
        record_change(
            session, action=action, by=by, field=name, old=old, new=new, note=note, asset=asset
        )
        done.append(FieldChange(name, old, new))
    return done


def edit_asset(
    archive: Archive,
    asset_id: str,
    changes: Mapping[str, Any] | None = None,
    *,
    add_events: Iterable[str] = (),
    remove_events: Iterable[str] = (),
    create_event: bool = False,
    by: str | None = None,
    note: str | None = None,
) -> MetadataEdit:
    """Change an asset's metadata and events; record and re-index the change.

    Args:
        changes: field name → new value (``EDITABLE_FIELDS``; ``speakers`` a list).
        add_events, remove_events: event names (exact).
        create_event: create an added event that does not exist yet.
        by: who makes the change (default: the operating system's user).

    Raises:
        NotFoundError: no such asset, or an event that does not exist.
        UserError: an unknown field, a value that does not parse, removing an event the
            asset is not in. Nothing is changed then.
    """
    checked = check_fields(changes or {})
    who = current_user(by)
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        done = apply_fields(session, asset, checked, by=who, note=note)
        old_events = [e.name for e in asset.events]
        for name in add_events:
            event = _find_event(session, name, create=create_event)
            if event not in asset.events:
                asset.events.append(event)
        for name in remove_events:
            event = _find_event(session, name)
            if event not in asset.events:
                raise UserError(
                    f"asset {asset.short_id} is not in event {name!r}: it is in "
                    + (", ".join(repr(n) for n in old_events) or "no event")
                )
            asset.events.remove(event)
        new_events = [e.name for e in asset.events]
        if new_events != old_events:
            record_change(
                session,
                action=AuditAction.EDIT,
                by=who,
                field="events",
                old=old_events,
                new=new_events,
                note=note,
                asset=asset,
            )
            done.append(FieldChange("events", old_events, new_events))
        indexed = index_asset(session, asset) if done else 0
        return MetadataEdit(asset.short_id, asset.title, done, indexed)


def _find_event(session: Session, name: str, *, create: bool = False) -> Event:
    text = name.strip()
    if not text:
        raise UserError("an event name cannot be empty")
    event = session.scalar(select(Event).where(Event.name == text))
    if event is None:
        if create:
            event = Event(name=text)
            session.add(event)
            session.flush()
            return event
        raise NotFoundError(
            f"no event named {text!r}: see 'mediaarchive events', or add --create-event"
        )
    return event


def _reindex_event_assets(session: Session, event: Event) -> None:
    session.flush()
    for asset in list(event.assets):
        index_asset(session, asset)


def rename_event(archive: Archive, old: str, new: str, *, by: str | None = None) -> EventChange:
    """Give an event a new name; its assets are re-indexed under it.

    Raises:
        NotFoundError: no event is named ``old``.
        UserError: an event named ``new`` exists already ('events merge' joins them).
    """
    return edit_event(archive, old, {"name": new}, by=by)


def edit_event(
    archive: Archive, name: str, changes: Mapping[str, Any], *, by: str | None = None
) -> EventChange:
    """Change an event's name, date or description (``events rename``, ``events edit``).

    Raises:
        NotFoundError: no such event.
        UserError: an unknown field, a date that does not parse, a name taken already.
    """
    who = current_user(by)
    with archive.session() as session:
        event = _find_event(session, name)
        checked: dict[str, Any] = {}
        for key, value in changes.items():
            if key not in ("name", "date", "description", "visibility"):
                raise UserError(
                    f"unknown event field {key!r}: editable are name, date, description, visibility"
                )
            text = (value or "").strip()
            if key == "name":
                if not text:
                    raise UserError("an event name cannot be empty")
                other = session.scalar(select(Event).where(Event.name == text))
                if other is not None and other.id != event.id:
                    raise UserError(
                        f"an event named {text!r} exists already: "
                        f"'mediaarchive events merge {name!r} {text!r}' joins the two"
                    )
                checked[key] = text
            elif key == "date":
                checked[key] = check_date(text) if text else None
            elif key == "visibility":
                if text not in VISIBILITIES:
                    raise UserError(f"visibility {text!r} is not one of: {', '.join(VISIBILITIES)}")
                checked[key] = text
            else:
                checked[key] = text or None
        done: list[FieldChange] = []
        for key, new in checked.items():
            old = getattr(event, key)
            if old == new:
                continue
            setattr(event, key, new)
            record_change(
                session,
                action=AuditAction.EVENT_RENAME if key == "name" else AuditAction.EVENT_EDIT,
                by=who,
                field=key,
                old=old,
                new=new,
                event=event,
            )
            done.append(FieldChange(key, old, new))
        if done:
            _reindex_event_assets(session, event)
        return EventChange(event.name, done, len(event.assets))


def merge_events(
    archive: Archive, source: str, target: str, *, by: str | None = None
) -> EventChange:
    """Move every asset and page link of event ``source`` into ``target``; ``source`` goes.

    The target keeps its own date and description (it takes the source's where it has
    none). Each moved asset gets an audit record.

    Raises:
        NotFoundError: either event does not exist.
        UserError: the two are the same event.
    """
    who = current_user(by)
    with archive.session() as session:
        origin = _find_event(session, source)
        into = _find_event(session, target)
        if origin.id == into.id:
            raise UserError(f"cannot merge event {origin.name!r} into itself: name another event")
        moved = 0
        for asset in list(origin.assets):
            before = [e.name for e in asset.events]
            asset.events.remove(origin)
            if into not in asset.events:
                asset.events.append(into)
            moved += 1
            record_change(
                session,
                action=AuditAction.EVENT_MERGE,
                by=who,
                field="events",
                old=before,
                new=[e.name for e in asset.events],
                note=f"event {origin.name!r} merged into {into.name!r}",
                asset=asset,
            )
        kept = set(session.scalars(select(PageLink.url).where(PageLink.event_id == into.id)))
        for link in list(origin.page_links):
            if link.url in kept:
                session.delete(link)
            else:
                link.event_id = into.id
        done: list[FieldChange] = []
        for key in ("date", "description"):
            if getattr(into, key) is None and getattr(origin, key) is not None:
                done.append(FieldChange(key, None, getattr(origin, key)))
                setattr(into, key, getattr(origin, key))
        record_change(
            session,
            action=AuditAction.EVENT_MERGE,
            by=who,
            field="event",
            old=origin.name,
            new=into.name,
            note=f"{moved} asset(s) moved",
            event=into,
        )
        session.flush()
        session.execute(delete(Event).where(Event.id == origin.id))
        session.expire_all()
        into = session.get(Event, into.id)
        assert into is not None
        _reindex_event_assets(session, into)
        return EventChange(into.name, done, len(into.assets), moved)


def reingest_changes(
    archive: Archive,
    sha256: str,
    given: Mapping[str, Any],
    *,
    update: bool = False,
    by: str | None = None,
) -> list[FieldChange]:
    """The fields of an archived asset that differ from what a re-ingest gave explicitly
    (``--title``, ``--speaker``, ``--description``, ``--date``); with ``update``, they are
    applied, with an audit record each.

    Raises:
        UserError: a given value is not valid (a date that does not parse).
    """
    checked = check_fields({k: v for k, v in given.items() if v not in (None, [], ())})
    with archive.session() as session:
        asset = session.scalar(select(Asset).where(Asset.sha256 == sha256))
        if asset is None:
            return []
        differ = []
        for name, new in checked.items():
            old = list(asset.speakers or []) if name == "speakers" else getattr(asset, name)
            if old != new:
                differ.append(FieldChange(name, old, new))
        if update and differ:
            apply_fields(
                session,
                asset,
                {change.field: change.new for change in differ},
                by=current_user(by),
                action=AuditAction.REINGEST,
                note="re-ingest with --update",
            )
            index_asset(session, asset)
        return differ
