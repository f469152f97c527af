"""Ingest: fetch what the user named into the content-addressed store and record it.

Each asset is fetched to the store's temp folder (hashed on the way), moved into place only
when complete and checked, then recorded: an ``Asset`` per distinct sha256, a ``SourceLink``
per link it was reached by, its events, and a done "fetch" job. Steps are not run here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mediaarchive.archive import Archive
from mediaarchive.db import Asset, Event, Job, PageLink, SourceLink, is_locked, retry_while_busy
from mediaarchive.errors import MediaArchiveError
from mediaarchive.sources import AssetRequest, Defaults, FetchedFile, FetchOptions, fetch
from mediaarchive.sources.download import NotModified
from mediaarchive.sources.expand import Expansion, SourceExpander
from mediaarchive.sources.urls import display_url
from mediaarchive.store import Blob

#: Called once per asset as soon as it is archived or has failed.
IngestReporter = Callable[["IngestResult"], None]
#: Called while downloading with (link, bytes so far, total bytes or None).
DownloadProgress = Callable[[str, int, int | None], None]
_RECORD_ATTEMPTS = 6


@dataclass
class IngestResult:
    """What happened to one asset (the ``ingest --json`` entry)."""

    id: str | None
    sha256: str | None
    kind: str | None
    title: str | None
    event: str | None
    source_url: str
    state: str
    created: bool
    error: str | None = None
    size: int | None = None
    #: Fields given explicitly that differ from the archived asset's:
    #: ``[{field, old, new}]`` (applied when ``updated``).
    differs: list[dict[str, Any]] | None = None
    updated: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def failed(self) -> bool:
        return self.error is not None


def ingest_sources(
    archive: Archive,
    sources: list[str],
    *,
    event: str | None = None,
    title: str | None = None,
    speakers: list[str] | None = None,
    language: str | None = None,
    date: str | None = None,
    description: str | None = None,
    pipeline: str | None = None,
    reporter: IngestReporter | None = None,
    progress: DownloadProgress | None = None,
    update: bool = False,
    by: str | None = None,
) -> list[IngestResult]:
    """Fetch and record every asset the sources name; failures are results, not exceptions.

    Args:
        sources: links, files, folders, manifests, page exports (``.txt``/``.md``/``.html``/
            ``.zip``).
        event, title, speakers, language, date, description: what the user says about the
            assets; a manifest row's own values win, ``event`` names the event of a page.
        pipeline: pipeline name or file to record on new assets (None: chosen by kind).
        reporter: called with each result as soon as it is known.
        progress: called as bytes arrive (for a progress bar).
        update: apply the explicit title, speakers, description and date to assets that
            were archived already (each change recorded); without it, differences are
            only reported (``differs``).
        by: who makes those changes (default: the operating system's user).
    """
    defaults = Defaults(
        event=event,
        title=title,
        speakers=list(speakers or []),
        language=language,
        date=date,
        description=description,
    )
    settings = archive.settings
    options = FetchOptions(
        attempts=settings.fetch_retries,
        timeout=settings.fetch_timeout,
        backoff=settings.fetch_backoff,
    )
    temp_dir = _temp_dir(archive)
    results: list[IngestResult] = []

    given = {"title": title, "speakers": list(speakers or []), "description": description}
    given["date"] = date

    def report(result: IngestResult) -> None:
        if not result.failed and not result.created and result.sha256:
            _compare_with_archived(archive, result, given, update, by)
        results.append(result)
        if reporter is not None:
            reporter(result)

    with SourceExpander(defaults) as expander:
        expansion = expander.expand(sources)
        for problem in expansion.problems:
            report(
                IngestResult(
                    None, None, None, None, None, problem.source, "failed", False, problem.message
                )
            )
        _record_events(archive, expansion)
        fetched_by_url: dict[str, tuple[FetchedFile, Blob]] = {}
        for request in expansion.assets:
            report(
                _ingest_one(archive, request, options, temp_dir, pipeline, fetched_by_url, progress)
            )
    return results


def _compare_with_archived(
    archive: Archive,
    result: IngestResult,
    given: dict[str, Any],
    update: bool,
    by: str | None,
) -> None:
    """An asset archived before: say which explicit fields differ; apply them on update."""
    from mediaarchive.services.editing import reingest_changes

    assert result.sha256 is not None
    differ = reingest_changes(archive, result.sha256, given, update=update, by=by)
    if differ:
        result.differs = [asdict(change) for change in differ]
        result.updated = update
        if update and any(change.field == "title" for change in differ):
            result.title = next(c.new for c in differ if c.field == "title")


def _temp_dir(archive: Archive) -> Path:
    store_temp = getattr(archive.store, "temp_dir", None)
    if callable(store_temp):
        return Path(store_temp())
    path = archive.settings.home / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _ingest_one(
    archive: Archive,
    request: AssetRequest,
    options: FetchOptions,
    temp_dir: Path,
    pipeline: str | None,
    fetched_by_url: dict[str, tuple[FetchedFile, Blob]],
    progress: DownloadProgress | None = None,
) -> IngestResult:
    shown_url = display_url(request.source_url)

    def on_bytes(done: int, total: int | None) -> None:
        if progress is not None:
            progress(shown_url, done, total)

    try:
        if request.source_url in fetched_by_url:
            fetched, blob = fetched_by_url[request.source_url]
        else:
            known = _archived_from(archive, request)
            try:
                fetched = fetch(
                    request.location,
                    temp_dir,
                    options,
                    on_bytes,
                    if_none_match=known[0].etag if known else None,
                )
            except NotModified:
                assert known is not None
                fetched, blob = known
            else:
                try:
                    blob = archive.store.put_file(fetched.path, fetched.sha256, move=True)
                finally:
                    fetched.path.unlink(missing_ok=True)
            fetched_by_url[request.source_url] = (fetched, blob)
        asset, created = record_asset(archive, request, fetched, blob, pipeline)
    except MediaArchiveError as exc:
        message = str(exc)
        if request.page and request.page not in message:
            message = f"{message} (linked from {Path(request.page).name})"
        return IngestResult(
            None, None, None, request.title, request.event, shown_url, "failed", False, message
        )
    return IngestResult(
        asset["id"],
        asset["sha256"],
        asset["kind"],
        asset["title"],
        request.event or asset["event"],
        shown_url,
        asset["state"],
        created,
        None,
        asset["size"],
    )


def _archived_from(archive: Archive, request: AssetRequest) -> tuple[FetchedFile, Blob] | None:
    """What an earlier ingest archived from this very link, if its ETag is known and the
    blob is still in the store (then an unchanged source is not downloaded again)."""
    if request.location.kind == "local":
        return None
    with archive.session() as session:
        row = session.execute(
            select(SourceLink.etag, Asset)
            .join(Asset)
            .where(SourceLink.url == request.source_url, SourceLink.etag.is_not(None))
            .order_by(SourceLink.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        etag, asset = row
        if not archive.store.exists(asset.blob_key):
            return None
        fetched = FetchedFile(
            Path(asset.blob_key), asset.sha256, asset.size, asset.kind, asset.mime, etag, 1, 0.0
        )
        return fetched, Blob(asset.blob_key, asset.sha256, asset.size)


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
            asset, created = _record(session, request, fetched, blob, pipeline)
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
    session: Session, request: AssetRequest, fetched: FetchedFile, blob: Blob, pipeline: str | None
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
        )
        session.add(asset)
        session.flush()
        _record_fetch_job(session, asset, fetched, request)
    if request.event:
        event = _event(session, request.event, date=request.date)
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
    session: Session, name: str, *, date: str | None = None, source: str | None = None
) -> Event:
    event = session.scalar(select(Event).where(Event.name == name))
    if event is None:
        event = Event(name=name, date=date, source=source)
        session.add(event)
        session.flush()
    return event


def _record_events(archive: Archive, expansion: Expansion) -> None:
    """Create the events of pages and manifests and keep their non-asset links."""
    if not expansion.events and not expansion.page_links:
        return

    def record() -> None:
        with archive.session() as session:
            for info in expansion.events.values():
                event = _event(session, info.name, date=info.date, source=info.source)
                if info.date and not event.date:
                    event.date = info.date
            for item in expansion.page_links:
                event = _event(session, item.event)
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
