"""Sources: each link an ingest fetches, recorded as pending before its download starts.

A fetch that was interrupted (the process killed) leaves its source pending: ``run`` fetches
it again. One that failed is ``failed`` with its error: ``retry`` tries it again. A source
that failed before any byte arrived has no sha256 and so no asset; ``sources`` lists it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mediaarchive.archive import Archive
from mediaarchive.db import Asset, Source, retry_while_busy
from mediaarchive.sources import AssetRequest
from mediaarchive.sources.urls import Location, display_url
from mediaarchive.store.owners import owner_alive, owner_token
from mediaarchive.vocabulary import SourceState

if TYPE_CHECKING:
    from mediaarchive.services.ingest import IngestResult

__all__ = [
    "SourceEntry",
    "fetch_recorded",
    "list_sources",
    "mark_source",
    "record_pending",
    "request_from_json",
    "request_to_json",
]

_ATTEMPTS = 6


@dataclass
class SourceEntry:
    """One source (the ``sources --json`` entry)."""

    source_url: str
    event: str | None
    state: str
    attempts: int
    error: str | None
    asset_id: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def request_to_json(request: AssetRequest) -> dict[str, Any]:
    """What is needed to fetch the source again in another process."""
    location = request.location
    return {
        "location": {
            "kind": location.kind,
            "url": location.url,
            "bucket": location.bucket,
            "key": location.key,
            "region": location.region,
            "path": str(location.path) if location.path is not None else None,
        },
        "source_url": request.source_url,
        "event": request.event,
        "title": request.title,
        "description": request.description,
        "speakers": list(request.speakers),
        "language": request.language,
        "date": request.date,
        "page": request.page,
        "heading": request.heading,
        "context": request.context,
        "extra": dict(request.extra),
    }


def request_from_json(data: dict[str, Any]) -> AssetRequest:
    loc = dict(data["location"])
    loc["path"] = Path(loc["path"]) if loc.get("path") else None
    fields = {k: v for k, v in data.items() if k != "location"}
    return AssetRequest(location=Location(**loc), **fields)


def record_pending(
    archive: Archive, requests: Sequence[AssetRequest], pipeline: str | None
) -> list[int]:
    """Record each request as a pending source owned by this process (one transaction);
    returns their ids, in order. A source archived before stays as it is."""
    if not requests:
        return []
    owner = owner_token()

    def record() -> list[int]:
        ids = []
        now = datetime.now(UTC)
        with archive.session() as session:
            for request in requests:
                event = request.event or ""
                source = session.scalar(
                    select(Source).where(Source.url == request.source_url, Source.event == event)
                )
                if source is None:
                    source = Source(url=request.source_url, event=event, created_at=now)
                    session.add(source)
                elif source.state == SourceState.DONE and source.asset_id is not None:
                    # Archived before: fetched again only to see whether it changed, and
                    # nothing to resume if that is interrupted; left as it is.
                    ids.append(source.id)
                    continue
                source.state = SourceState.PENDING
                source.request = request_to_json(request)
                source.pipeline = pipeline
                source.owner = owner
                source.updated_at = now
                session.flush()
                ids.append(source.id)
        return ids

    return retry_while_busy(
        record, what="cannot record the sources", then="run the ingest again", attempts=_ATTEMPTS
    )


def mark_source(archive: Archive, source_id: int, result: IngestResult) -> None:
    """Record how the fetch of a source ended (done with its asset, or failed with why)."""

    def record() -> None:
        with archive.session() as session:
            source = session.get(Source, source_id)
            if source is None:
                return
            asset_id = None
            if not result.failed:
                asset_id = session.scalar(select(Asset.id).where(Asset.sha256 == result.sha256))
            if source.state == SourceState.DONE and (result.failed or asset_id == source.asset_id):
                return  # archived before and unchanged (or the link broke since: kept)
            source.attempts += 1
            source.updated_at = datetime.now(UTC)
            source.owner = None
            if result.failed:
                source.state = SourceState.FAILED
                source.error = result.error
            else:
                source.state = SourceState.DONE
                source.error = None
                source.asset_id = asset_id

    retry_while_busy(
        record, what="cannot record the source", then="run 'mediaarchive run'", attempts=_ATTEMPTS
    )


def list_sources(archive: Archive, state: str | None = None) -> list[SourceEntry]:
    """Every recorded source (of one state), oldest first."""
    with archive.session() as session:
        query = select(Source, Asset).outerjoin(Asset, Source.asset_id == Asset.id)
        if state:
            query = query.where(Source.state == state)
        rows = session.execute(query.order_by(Source.id)).all()
        return [
            SourceEntry(
                display_url(source.url),
                source.event or None,
                source.state,
                source.attempts,
                source.error,
                asset.short_id if asset is not None else None,
            )
            for source, asset in rows
        ]


def fetch_recorded(
    archive: Archive,
    states: Sequence[str],
    reporter: Callable[[IngestResult], None] | None = None,
) -> list[IngestResult]:
    """Fetch again the sources in ``states`` (``pending`` ones whose process is gone: an
    interrupted fetch; ``failed`` ones for ``retry``), recording each as an ingest does."""
    from mediaarchive.services.ingest import fetch_sources

    with archive.session() as session:
        rows = session.scalars(
            select(Source).where(Source.state.in_(list(states))).order_by(Source.id)
        ).all()
        todo = [
            (source.id, request_from_json(source.request), source.pipeline)
            for source in rows
            if not (
                source.state == SourceState.PENDING
                and source.owner
                and owner_alive(f"-{source.owner}-")
                and source.owner != owner_token()
            )
        ]
    return fetch_sources(archive, todo, reporter=reporter)
