"""Ingest: fetch what the user named into the content-addressed store and record it.

Each asset is fetched to the store's temp folder (hashed on the way), moved into place only
when complete and checked, then recorded: an ``Asset`` per distinct sha256, a ``SourceLink``
per link it was reached by, its events, and a done "fetch" job. Steps are not run here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from mediaarchive import profiling
from mediaarchive.archive import Archive
from mediaarchive.dates import is_iso_date
from mediaarchive.db import Asset, SourceLink
from mediaarchive.errors import MediaArchiveError, UserError
from mediaarchive.services.deletion import refuse_purged
from mediaarchive.services.recording import record_asset, record_events
from mediaarchive.services.sources import mark_source, record_pending
from mediaarchive.sources import AssetRequest, Defaults, FetchedFile, FetchOptions, fetch
from mediaarchive.sources.download import NotModified
from mediaarchive.sources.expand import SourceExpander
from mediaarchive.sources.kinds import mostly_zero, name_disagrees
from mediaarchive.sources.urls import display_url
from mediaarchive.store import Blob
from mediaarchive.store.owners import owner_token

#: Called once per asset as soon as it is archived or has failed.
IngestReporter = Callable[["IngestResult"], None]
#: Called while downloading with (link, bytes so far, total bytes or None).
DownloadProgress = Callable[[str, int, int | None], None]


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
    #: What the archivist should know about an archived asset (name and bytes disagree, a
    #: mostly-zero file); printed on stderr, not part of the JSON entry.
    warnings: list[str] = field(default_factory=list)
    #: Why the host could not be reached at all (DNS, connection refused), else None.
    unreachable: str | None = None
    #: Fields given explicitly that differ from the archived asset's:
    #: ``[{field, old, new}]`` (applied when ``updated``).
    differs: list[dict[str, Any]] | None = None
    updated: bool = False

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        del document["warnings"], document["unreachable"]
        return document

    @property
    def failed(self) -> bool:
        return self.error is not None


#: A request's extra key that lets purged bytes in again (``ingest --force``); not stored.
FORCE = "force_purged"


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
    fetch_jobs: int | None = None,
    accept_truncated: bool = False,
    update: bool = False,
    by: str | None = None,
    force: bool = False,
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
        fetch_jobs: downloads side by side (default: the setting ``fetch_jobs``).
        accept_truncated: a recording cut short is processed as far as it goes (probe
            fails it otherwise).
        update: apply the explicit title, speakers, description and date to assets that
            were archived already (each change recorded); without it, differences are
            only reported (``differs``).
        by: who makes those changes (default: the operating system's user).
        force: archive bytes that were purged before (``delete --purge``) all the same.
    """
    if date and not is_iso_date(date):
        raise UserError(f"--date {date!r} is not a date: use YYYY-MM-DD (or YYYY-MM, YYYY)")
    defaults = Defaults(
        event=event,
        title=title,
        speakers=list(speakers or []),
        language=language,
        date=date,
        description=description,
    )
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
        record_events(archive, expansion)
        if accept_truncated:
            for request in expansion.assets:
                request.extra["accept_truncated"] = True
        if force:
            for request in expansion.assets:
                request.extra[FORCE] = True
        # Recorded before any download starts: a fetch interrupted from here on is resumed
        # by ``run`` (the source stays pending), a failed one is retried by ``retry``.
        source_ids = record_pending(archive, expansion.assets, pipeline)
        todo = [
            (sid, request, pipeline)
            for sid, request in zip(source_ids, expansion.assets, strict=True)
        ]
        fetched = fetch_sources(
            archive, todo, reporter=report, progress=progress, fetch_jobs=fetch_jobs
        )
    return results[: len(expansion.problems)] + fetched


def fetch_sources(
    archive: Archive,
    todo: list[tuple[int, AssetRequest, str | None]],
    *,
    reporter: IngestReporter | None = None,
    progress: DownloadProgress | None = None,
    fetch_jobs: int | None = None,
) -> list[IngestResult]:
    """Fetch and record recorded sources ``(source id, request, pipeline)``, marking each
    source done or failed as its fetch ends; results in the order of ``todo``.

    Sources on different hosts are fetched side by side (``fetch_jobs``, at most
    ``PER_HOST`` at once per host). A host that does not resolve or refuses connections is
    tried once per command: its other links fail at once with the same reason.
    """
    settings = archive.settings
    options = FetchOptions(
        attempts=settings.fetch_retries,
        timeout=settings.fetch_timeout,
        backoff=settings.fetch_backoff,
        temp_prefix=f"fetch-{owner_token()}-",
        max_size=int(settings.max_asset_gb * 1e9) if settings.max_asset_gb > 0 else None,
        reserve=int(settings.disk_reserve_gb * 1e9),
    )
    fetcher = _Fetcher(archive, options, fetch_temp_dir(archive), progress)
    lock = threading.Lock()

    def one(item: tuple[int, AssetRequest, str | None]) -> IngestResult:
        source_id, request, pipeline = item
        result = fetcher.fetch(request, pipeline)
        mark_source(archive, source_id, result)
        if reporter is not None:
            with lock:
                reporter(result)
        return result

    jobs = max(1, fetch_jobs or settings.fetch_jobs)
    if jobs == 1 or len(todo) < 2:
        return [one(item) for item in todo]
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="fetch") as pool:
        results = list(pool.map(one, todo))
    # Fetched side by side, the same bytes reached by two links may be recorded by either:
    # the first link in order is the one that "created" the asset, as when fetched in turn.
    created = {r.sha256 for r in results if r.created}
    for result in results:
        result.created = result.sha256 in created
        created.discard(result.sha256)
    return results


#: Downloads from one host at once (be polite; a slow host does not hold up the others).
PER_HOST = 2


class _Fetcher:
    """One command's fetching: per-host limits, hosts found down, links already fetched."""

    def __init__(
        self,
        archive: Archive,
        options: FetchOptions,
        temp_dir: Path,
        progress: DownloadProgress | None,
    ) -> None:
        self.archive = archive
        self.options = options
        self.temp_dir = temp_dir
        self.progress = progress
        self.lock = threading.Lock()
        self.host_slots: dict[str, threading.Semaphore] = {}
        self.url_locks: dict[str, threading.Lock] = {}
        #: host -> why it cannot be reached (the error without the link's name).
        self.down: dict[str, str] = {}
        self.fetched_by_url: dict[str, tuple[FetchedFile, Blob]] = {}

    def fetch(self, request: AssetRequest, pipeline: str | None) -> IngestResult:
        host = _host(request)
        with self.lock:
            slots = self.host_slots.setdefault(host, threading.Semaphore(PER_HOST))
            url_lock = self.url_locks.setdefault(request.source_url, threading.Lock())
        with slots, url_lock:
            if host and host in self.down:
                shown = display_url(request.source_url)
                return IngestResult(
                    None,
                    None,
                    None,
                    request.title,
                    request.event,
                    shown,
                    "failed",
                    False,
                    f"{shown}: {self.down[host]}",
                )
            result = _ingest_one(
                self.archive,
                request,
                self.options,
                self.temp_dir,
                pipeline,
                self.fetched_by_url,
                self.progress,
            )
            if host and result.unreachable:
                with self.lock:
                    self.down.setdefault(host, result.unreachable)
            return result


def _host(request: AssetRequest) -> str:
    """The host a request goes to ('' for local files)."""
    location = request.location
    if location.kind == "local":
        return ""
    if location.kind == "s3":
        return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or "s3"
    return urlsplit(location.url).netloc.lower()


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


def fetch_temp_dir(archive: Archive) -> Path:
    """Where downloads wait before they go into the store (on its filesystem if local)."""
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
    force = bool(request.extra.pop(FORCE, False))

    def on_bytes(done: int, total: int | None) -> None:
        if progress is not None:
            progress(shown_url, done, total)

    try:
        if request.source_url in fetched_by_url:
            fetched, blob = fetched_by_url[request.source_url]
        else:
            known = _archived_from(archive, request)
            try:
                with profiling.phase("fetch (hashed on the way)"):
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
                    if not force:
                        with archive.session() as session:
                            refuse_purged(session, fetched.sha256, shown_url)
                    with profiling.phase("store original"):
                        blob = archive.store.put_file(fetched.path, fetched.sha256, move=True)
                finally:
                    fetched.path.unlink(missing_ok=True)
            fetched_by_url[request.source_url] = (fetched, blob)
        with profiling.phase("record asset (DB)"):
            asset, created = record_asset(archive, request, fetched, blob, pipeline)
    except MediaArchiveError as exc:
        message = str(exc)
        unreachable = None
        if getattr(exc, "host_down", False):
            unreachable = message.removeprefix(f"{shown_url}: ")
        if request.page and request.page not in message:
            message = f"{message} (linked from {Path(request.page).name})"
        failed = IngestResult(
            None, None, None, request.title, request.event, shown_url, "failed", False, message
        )
        failed.unreachable = unreachable
        return failed
    warnings = [
        f"{shown_url}: {text}"
        for text in (
            name_disagrees(fetched.kind, request.location.filename),
            mostly_zero(fetched.size, fetched.zero_bytes),
        )
        if text and created
    ]
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
        warnings,
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
        if asset.damaged or not archive.store.exists(asset.blob_key):
            return None  # fetched in full again: the new bytes repair the blob
        fetched = FetchedFile(
            Path(asset.blob_key), asset.sha256, asset.size, asset.kind, asset.mime, etag, 1, 0.0
        )
        return fetched, Blob(asset.blob_key, asset.sha256, asset.size)
