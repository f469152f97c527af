"""Processing: run the pending steps here, or hand them to the workers.

Which assets are pending is ``pipeline.pending_assets`` (one rule for both ways); whether
the work runs in this process or goes to the Celery workers is decided here, in
``workers_do_it``, for ``run``, ``retry`` and the processing that ``ingest`` starts: with a
broker in the settings the workers do it, else the local runner.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mediaarchive import profiling
from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import Asset, Job
from mediaarchive.pipeline.progress import Reporter, make_reporter
from mediaarchive.services.views import asset_summary

if TYPE_CHECKING:
    from mediaarchive.pipeline.runner import LocalRunner

# The runner and ``pipeline.definitions`` register every step (numpy, the ASR and OCR
# modules: over half a second of imports): they are imported where steps run or a pipeline
# is read, so that ``ingest --no-process`` goes without them.

__all__ = [
    "ProcessAsIngested",
    "ProcessOutcome",
    "asset_statuses",
    "describe_pipelines",
    "process_pending",
    "retry_failed",
    "terminal_progress",
    "workers_do_it",
]


@dataclass
class ProcessOutcome:
    """What a ``run``, ``retry`` or ingest's processing did."""

    #: Status entries (``status --json``) of the assets processed, or sent to the workers.
    assets: list[dict[str, Any]] = field(default_factory=list)
    #: Some asset failed (its error was reported as it happened).
    failed: bool = False
    #: The broker the work went to (the workers do it); None when it ran here.
    broker: str | None = None
    #: Assets sent to the workers.
    sent: int = 0
    #: For ``retry``: ids of the assets whose failed steps were queued again.
    retried: list[str] = field(default_factory=list)
    #: Sources fetched again first (``ingest --json`` entries): interrupted fetches for
    #: ``run``, failed ones too for ``retry``.
    fetched: list[Any] = field(default_factory=list)


@contextmanager
def terminal_progress() -> Iterator[Reporter]:
    """The steps' progress on stderr: bars on a terminal, plain lines otherwise."""
    reporter = make_reporter()
    try:
        yield reporter
    finally:
        close = getattr(reporter, "close", None)
        if close:
            close()


#: Sources that name several assets (manifests, page exports) or none.
_LISTINGS = {".yaml", ".yml", ".csv", ".json", ".txt", ".md", ".html", ".htm", ".zip"}


def count_local_assets(sources: Sequence[str], limit: int = 1000) -> int | None:
    """How many recordings ``sources`` hold, when they are local files and folders (for
    ``--jobs auto``); None when some source is a link, manifest or page (not known yet)."""
    count = 0
    for source in sources:
        path = Path(source).expanduser()
        if path.is_dir():
            count += sum(
                1 for found in path.rglob("*") if found.is_file() and not found.name.startswith(".")
            )
        elif path.is_file() and path.suffix.lower() not in _LISTINGS:
            count += 1
        else:
            return None
        if count >= limit:
            break
    return count


def start_profile() -> None:
    """Record where the time goes from now on, per step and phase (``--profile FILE``)."""
    profiling.start()


def write_profile(path: Path) -> None:
    """Write what ``start_profile`` recorded to ``path`` (text; JSON for ``.json``)."""
    profile = profiling.stop()
    if profile is not None:
        profiling.write(profile, path)


def process_pending(
    archive: Archive,
    ids: Sequence[str] | None = None,
    *,
    jobs: int | None = None,
    reporter: Reporter | None = None,
) -> ProcessOutcome:
    """Process whatever is queued or was interrupted (of the assets ``ids``, or of all).

    Raises:
        NotFoundError, AmbiguousIdError, UserError: an id names no asset, several, or is
            not an id.
        ConfigError: the broker cannot be reached.
    """
    fetched = _fetch_sources(archive, ids, ("pending",))
    outcome = _process(archive, _database_ids(archive, ids), jobs, reporter)
    return _with_fetched(outcome, fetched)


def _fetch_sources(archive: Archive, ids: Sequence[str] | None, states: tuple[str, ...]) -> list:
    """Sources whose fetch was interrupted (or failed, for ``retry``), fetched again before
    the steps run; only when no asset ids are named (a source without bytes has no id)."""
    if ids:
        return []
    from mediaarchive.services.sources import fetch_recorded

    return fetch_recorded(archive, states)


def _with_fetched(outcome: ProcessOutcome, fetched: list) -> ProcessOutcome:
    outcome.fetched = fetched
    outcome.failed = outcome.failed or any(result.failed for result in fetched)
    return outcome


def retry_failed(
    archive: Archive,
    ids: Sequence[str] | None = None,
    *,
    jobs: int | None = None,
    reporter: Reporter | None = None,
    accept_truncated: bool = False,
) -> ProcessOutcome:
    """Queue the failed steps (of the assets ``ids``, or of all) again and process them.

    ``accept_truncated``: those assets' recordings cut short are processed as far as they go.
    """
    asset_ids = _database_ids(archive, ids)
    if accept_truncated:
        _accept_truncated(archive, asset_ids)
    fetched = _fetch_sources(archive, ids, ("pending", "failed"))
    from mediaarchive.pipeline.runner import retry

    requeued = retry(archive, asset_ids)
    with archive.session() as session:
        requeued += [
            asset_id
            for asset_id in session.scalars(
                select(Asset.id).where(Asset.sha256.in_([r.sha256 for r in fetched if r.sha256]))
            )
            if asset_id not in requeued
        ]
    outcome = _process(archive, asset_ids if asset_ids is not None else requeued, jobs, reporter)
    outcome.retried = [entry["id"] for entry in asset_statuses(archive, requeued)]
    return _with_fetched(outcome, fetched)


def _accept_truncated(archive: Archive, asset_ids: list[int] | None) -> None:
    """Mark the assets (all with a failed probe when None) to accept a truncated recording."""
    with archive.session() as session:
        query = select(Asset)
        if asset_ids is not None:
            query = query.where(Asset.id.in_(asset_ids))
        else:
            failed = select(Job.asset_id).where(Job.step == "probe", Job.state == "failed")
            query = query.where(Asset.id.in_(failed))
        for asset in session.scalars(query):
            asset.extra = {**(asset.extra or {}), "accept_truncated": True}


def _database_ids(archive: Archive, ids: Sequence[str] | None) -> list[int] | None:
    if not ids:
        return None
    with archive.session() as session:
        return [find_asset(session, asset_id).id for asset_id in ids]


def workers_do_it(archive: Archive) -> bool:
    """The one choice: the Celery workers process (a broker is set), or this process."""
    return bool(archive.settings.broker)


def _process(
    archive: Archive, asset_ids: list[int] | None, jobs: int | None, reporter: Reporter | None
) -> ProcessOutcome:
    if workers_do_it(archive):
        return _send_to_workers(archive, asset_ids, reporter)
    from mediaarchive.pipeline.runner import run_queued

    result = run_queued(archive, jobs=jobs, asset_ids=asset_ids, reporter=reporter)
    return ProcessOutcome(asset_statuses(archive, result.asset_ids), failed=bool(result.failed))


def _send_to_workers(
    archive: Archive, asset_ids: list[int] | None, reporter: Reporter | None
) -> ProcessOutcome:
    from mediaarchive.services.dispatch import submit

    pending = submit(archive, asset_ids, reporter=reporter)
    return ProcessOutcome(
        asset_statuses(archive, pending.asset_ids + pending.broken),
        failed=bool(pending.broken),
        broker=archive.settings.broker,
        sent=len(pending.asset_ids),
    )


def asset_statuses(archive: Archive, asset_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The ``status --json`` entries of these assets (database ids), in ingest order."""
    with archive.session() as session:
        assets = session.scalars(
            select(Asset).where(Asset.id.in_(list(asset_ids))).order_by(Asset.id)
        ).all()
        return [asset_summary(asset) for asset in assets]


class ProcessAsIngested:
    """Processing for ``ingest``: each asset starts as soon as it is fetched (the next fetch
    overlaps it), or, with a broker, all of them go to the workers at the end.

    Raises:
        PipelineError: ``pipeline`` does not exist (before anything is fetched).
    """

    def __init__(
        self,
        archive: Archive,
        *,
        enabled: bool,
        jobs: int | None = None,
        pipeline: str | None = None,
        reporter: Reporter | None = None,
        expected: int | None = None,
    ) -> None:
        self.archive = archive
        self.enabled = enabled
        self.reporter = reporter
        self.sha256s: list[str] = []
        self.runner: LocalRunner | None = None
        if pipeline:
            from mediaarchive.pipeline.definitions import find_pipeline

            find_pipeline(pipeline, archive.settings.home)  # a typo fails before fetching
        if enabled and not workers_do_it(archive):
            from mediaarchive.pipeline.runner import LocalRunner

            self.runner = LocalRunner(archive, jobs=jobs, reporter=reporter, expected=expected)

    def add(self, sha256: str | None) -> None:
        """An asset was archived: process it (here at once, or with the others at the end)."""
        if self.enabled and sha256:
            self.sha256s.append(sha256)
            if self.runner is not None:
                self.runner.submit_sha256(sha256)

    def finish(self) -> ProcessOutcome:
        """Wait for the processing here, or send the work to the workers."""
        if self.runner is not None:
            result = self.runner.close()
            return ProcessOutcome(
                asset_statuses(self.archive, result.asset_ids), failed=bool(result.failed)
            )
        if self.enabled and workers_do_it(self.archive) and self.sha256s:
            return _send_to_workers(self.archive, self._asset_ids(), self.reporter)
        return ProcessOutcome()

    def states(self) -> dict[str, str]:
        """The assets' states now, by sha256."""
        with self.archive.session() as session:
            rows = session.execute(
                select(Asset.sha256, Asset.state).where(Asset.sha256.in_(self.sha256s))
            ).all()
        return dict(rows)  # type: ignore[arg-type]

    def _asset_ids(self) -> list[int]:
        with self.archive.session() as session:
            return list(session.scalars(select(Asset.id).where(Asset.sha256.in_(self.sha256s))))


def describe_pipelines(archive: Archive, check: Path | None = None) -> list[dict[str, Any]]:
    """The pipelines (built-in and the home's ``pipelines/*.yaml``) with their steps, or the
    one pipeline file ``check`` (validated: PipelineError names the file and line)."""
    from mediaarchive.pipeline.definitions import list_pipelines, load_pipeline

    pipelines = [load_pipeline(check)] if check else list_pipelines(archive.settings.home)
    return [
        {
            "name": p.name,
            "path": str(p.path),
            "description": p.description,
            "kinds": list(p.kinds),
            "steps": [{"name": s.name, "params": s.effective_params()} for s in p.steps],
        }
        for p in pipelines
    ]
