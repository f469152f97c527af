"""Recording what an ingest fetched: the asset of the bytes (one per sha256, whoever wins
the insert race), its source link, its events and its done "fetch" job; the events and page
links of pages and manifests."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mediaarchive.archive import Archive, mark_blob
from mediaarchive.db import Asset, Event, Job, PageLink, SourceLink, is_locked, retry_while_busy
from mediaarchive.sources import AssetRequest, FetchedFile
from mediaarchive.sources.expand import Expansion
from mediaarchive.sources.urls import display_url
from mediaarchive.store import Blob

__all__ = ["record_asset", "record_events"]

_RECORD_ATTEMPTS = 6


def record_asset(
    archive: Archive,
    request: AssetRequest,
    fetched: FetchedFile,
    blob: Blob,
    pipeline: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Create or reuse the asset of these bytes and link it to its source and event.

    Two processes ingesting the same bytes at once both end up with the one row: the loser
    of the insert race gets a unique-constraint (or SQLite lock) error, rolls back and
    reuses the winner's row.
    """

    def record() -> tuple[dict[str, Any], bool]:
        with archive.session() as session:
            asset, created = _record(
                session, request, fetched, blob, pipeline, archive.settings.default_visibility
            )
            summary = {
                "id": asset.short_id,
                "sha256": asset.sha256,
                "kind": asset.kind,
                "title": asset.title,
                "state": asset.state,
                "size": asset.size,
                "event": asset.event.name if asset.event else None,
            }
        return summary, created

    return retry_while_busy(
        record,
        what=f"{display_url(request.source_url)}: cannot record the asset",
        then="run the ingest again",
        attempts=_RECORD_ATTEMPTS,
        retry_on=_lost_race_or_locked,
    )


def _lost_race_or_locked(exc: BaseException) -> bool:
    """Another process inserted the same row first, or holds the database lock."""
    return isinstance(exc, IntegrityError) or is_locked(exc)


def _record(
    session: Session,
    request: AssetRequest,
    fetched: FetchedFile,
    blob: Blob,
    pipeline: str | None,
    visibility: str = "internal",
) -> tuple[Asset, bool]:
    asset = session.scalar(select(Asset).where(Asset.sha256 == fetched.sha256))
    created = asset is None
    if asset is None:
        extra = dict(request.extra)
        if request.heading:
            extra.setdefault("heading", request.heading)
        asset = Asset(
            sha256=fetched.sha256,
            size=fetched.size,
            mime=fetched.mime,
            kind=fetched.kind,
            blob_key=blob.key,
            filename=request.location.filename,
            title=request.title or request.location.filename,
            description=request.description,
            speakers=list(request.speakers),
            language=request.language,
            date=request.date,
            extra=extra,
            pipeline=pipeline,
            state="queued",
            visibility=visibility,
        )
        session.add(asset)
        session.flush()
        _record_fetch_job(session, asset, fetched, request)
    elif asset.damaged:
        # put_file replaced the damaged blob with these bytes, which hash right.
        mark_blob(session, blob.key, asset.sha256, blob.sha256)
    if request.event:
        event = _event(session, request.event, date=request.date, visibility=visibility)
        if event not in asset.events:
            asset.events.append(event)
    link = session.scalar(
        select(SourceLink).where(
            SourceLink.asset_id == asset.id, SourceLink.url == request.source_url
        )
    )
    if link is None:
        session.add(
            SourceLink(
                asset_id=asset.id,
                url=request.source_url,
                scheme=request.location.kind,
                page=request.page,
                heading=request.heading,
                context=request.context,
                etag=fetched.etag,
            )
        )
    session.flush()
    return asset, created


def _record_fetch_job(
    session: Session, asset: Asset, fetched: FetchedFile, request: AssetRequest
) -> None:
    finished = datetime.now(UTC)
    started = finished - timedelta(seconds=fetched.seconds)
    session.add(
        Job(
            asset_id=asset.id,
            step="fetch",
            position=0,
            state="done",
            attempts=fetched.attempts,
            params={"source_url": display_url(request.source_url)},
            started_at=started,
            finished_at=finished,
            seconds=round(fetched.seconds, 3),
            worker=f"local:{os.getpid()}",
        )
    )


def _event(
    session: Session,
    name: str,
    *,
    date: str | None = None,
    source: str | None = None,
    visibility: str = "internal",
) -> Event:
    event = session.scalar(select(Event).where(Event.name == name))
    if event is None:
        event = Event(name=name, date=date, source=source, visibility=visibility)
        session.add(event)
        session.flush()
    return event


def record_events(archive: Archive, expansion: Expansion) -> None:
    """Create the events of pages and manifests and keep their non-asset links."""
    if not expansion.events and not expansion.page_links:
        return

    def record() -> None:
        with archive.session() as session:
            for info in expansion.events.values():
                event = _event(
                    session,
                    info.name,
                    date=info.date,
                    source=info.source,
                    visibility=archive.settings.default_visibility,
                )
                if info.date and not event.date:
                    event.date = info.date
            for item in expansion.page_links:
                event = _event(session, item.event, visibility=archive.settings.default_visibility)
                exists = session.scalar(
                    select(PageLink).where(PageLink.event_id == event.id, PageLink.url == item.url)
                )
                if exists is None:
                    session.add(
                        PageLink(
                            event_id=event.id,
                            url=item.url,
                            heading=item.heading,
                            context=item.context,
                        )
                    )
                    session.flush()

    retry_while_busy(
        record,
        what="cannot record the events",
        then="run the ingest again",
        attempts=_RECORD_ATTEMPTS,
        retry_on=_lost_race_or_locked,
    )
