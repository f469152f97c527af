"""The local runner: assets processed side by side in this process, resumable.

The contract's names live here: ``queue_asset`` and ``run_job`` (from ``pipeline.jobs``; the
Celery tasks call the same ``run_job``), ``run_queued`` (everything queued or interrupted,
``jobs`` assets side by side, jobs x threads <= cores) and ``retry``.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from mediaarchive.archive import Archive
from mediaarchive.cores import CORES
from mediaarchive.db import Asset, Job
from mediaarchive.pipeline.jobs import (
    FINISHED,
    local_worker,
    overall_state,
    queue_asset,
    retry,
    run_job,
)
from mediaarchive.pipeline.pending import needs_queueing, pending_assets, queue_or_fail
from mediaarchive.pipeline.progress import NullReporter, Reporter
from mediaarchive.pipeline.recovery import recover_interrupted
from mediaarchive.steps import STEPS

__all__ = [
    "AUTO_JOBS",
    "LocalRunner",
    "RunResult",
    "local_worker",
    "overall_state",
    "queue_asset",
    "recover_interrupted",
    "retry",
    "run_job",
    "run_queued",
    "auto_budget",
    "auto_jobs",
    "thread_budget",
]


@dataclass
class RunResult:
    """What a run did: the assets it worked on, and which of them failed."""

    asset_ids: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    jobs: int = 1
    threads: int = 1
    recovered: list[int] = field(default_factory=list)


def thread_budget(jobs: int, cores: int) -> tuple[int, int]:
    """(parallel jobs, threads per job) with jobs x threads <= cores."""
    jobs = max(1, min(jobs, cores))
    return jobs, max(1, cores // jobs)


#: ``--jobs auto``: chosen from the number of assets (``auto_jobs``).
AUTO_JOBS = 0


#: ``--jobs auto`` on a batch: job threads per core (``auto_budget``), at most ``AUTO_MOST``.
JOBS_PER_CORE = 4
AUTO_MOST = 16


def auto_jobs(assets: int | None, cores: int) -> int:
    """``--jobs auto``: the number of assets run side by side (``auto_budget``)."""
    return auto_budget(assets, cores)[0]


def auto_budget(assets: int | None, cores: int) -> tuple[int, int]:
    """``--jobs auto``: (jobs, threads per job). A single asset is fastest with every core
    in one job. A batch runs ``JOBS_PER_CORE`` single-threaded jobs per core, more than the
    cores: the jobs share the process's one model, which merges their calls made at the
    same time into batches, one per core (``asr.merging``). Measured on 2 cores
    (``benchmarks/pipeline.py``, 24 clips of 20-60 s, 3 rounds): 45.8 s against 70.7 s for
    a plain faster-whisper loop (1.55x; 1.66x in a run before), where one single-threaded
    job per core sharing the model had been 0.90x. 2, 4, 6 or 8 jobs per core took 43-50 s,
    within the runs' spread; more jobs merge more calls (25 encoder inputs in 20 calls with
    2 per core, 8 with 8) but also run more ffmpeg and Python work side by side.
    ``assets`` None (not known beforehand: links, manifests) counts as a batch."""
    if assets == 1 or cores <= 0:
        return 1, max(1, cores)
    batch = min(JOBS_PER_CORE * cores, AUTO_MOST)
    return max(1, min(batch, assets if assets is not None else batch)), 1


class LocalRunner:
    """Worker threads in this process that run the assets submitted to them.

    ``run_queued`` submits what is pending; ``ingest`` submits each asset as soon as it is
    fetched, so the next fetch overlaps the processing of the one before. Use as a context
    manager, or call ``close()`` to wait for everything submitted.
    """

    def __init__(
        self,
        archive: Archive,
        *,
        jobs: int | None = None,
        reporter: Reporter | None = None,
        expected: int | None = None,
    ) -> None:
        self.archive = archive
        self.reporter = reporter or NullReporter()
        cores = archive.settings.total_threads
        wanted = jobs if jobs is not None else archive.settings.jobs
        if wanted == AUTO_JOBS:
            parallel, threads = auto_budget(expected, cores)
        else:
            parallel, threads = thread_budget(min(wanted, expected or wanted), cores)
        if wanted > cores:
            self.reporter.message(
                f"Running {parallel} job(s) at a time, not {wanted}: there are {cores} cores."
            )
        self.result = RunResult(jobs=parallel, threads=threads)
        CORES.configure(cores)  # what computes at once, whatever the number of jobs
        self.worker = local_worker()
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._lock = threading.Lock()
        self._submitted: set[int] = set()
        self._threads = [
            threading.Thread(target=self._loop, name=f"mediaarchive-job-{n}", daemon=True)
            for n in range(parallel)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, asset_id: int) -> None:
        """Run this asset's pending jobs (queueing its pipeline first if it has none)."""
        with self._lock:
            if asset_id in self._submitted:
                return
            self._submitted.add(asset_id)
        with self.archive.session() as session:
            asset = session.get(Asset, asset_id)
            if asset is None:
                return
            if needs_queueing(asset) and not queue_or_fail(
                session, asset, self.archive.settings.home, self.reporter
            ):
                with self._lock:
                    self.result.asset_ids.append(asset_id)
                    self.result.failed.append(asset_id)
                return
        self._queue.put(asset_id)

    def submit_sha256(self, sha256: str) -> None:
        """Run the pending jobs of the asset with these bytes (e.g. just ingested)."""
        with self.archive.session() as session:
            asset_id = session.scalar(select(Asset.id).where(Asset.sha256 == sha256))
        if asset_id is not None:
            self.submit(asset_id)

    def _loop(self) -> None:
        while (asset_id := self._queue.get()) is not None:
            try:
                ok = _run_asset(
                    self.archive,
                    asset_id,
                    worker=self.worker,
                    threads=self.result.threads,
                    reporter=self.reporter,
                )
            except Exception as exc:  # noqa: BLE001 - report it and go on with the others
                self.reporter.message(f"Error: processing asset #{asset_id} stopped: {exc}")
                ok = False
            with self._lock:
                self.result.asset_ids.append(asset_id)
                if not ok:
                    self.result.failed.append(asset_id)

    def close(self) -> RunResult:
        """Wait until every submitted asset is processed; returns what was done."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            # A timeout keeps the main thread responsive to Ctrl-C.
            while thread.is_alive():
                thread.join(timeout=0.5)
        self.result.asset_ids.sort()
        self.result.failed.sort()
        return self.result

    def __enter__(self) -> LocalRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None:
            self.close()


def run_queued(
    archive: Archive,
    *,
    jobs: int | None = None,
    asset_ids: Sequence[int] | None = None,
    reporter: Reporter | None = None,
) -> RunResult:
    """Run everything queued or interrupted, ``jobs`` assets side by side.

    Each asset's steps run in order; one failing asset never stops the others. Threads are
    budgeted so that jobs x threads per job stays within the cores.
    """
    reporter = reporter or NullReporter()
    recovered = recover_interrupted(archive)
    if recovered:
        reporter.message(f"Resuming {len(recovered)} interrupted step(s).")
    with archive.session() as session:
        found = pending_assets(session, asset_ids, home=archive.settings.home, reporter=reporter)
    pending, broken = found.asset_ids, found.broken
    if not pending:
        return RunResult(recovered=recovered, asset_ids=broken, failed=list(broken))
    runner = LocalRunner(archive, jobs=jobs, reporter=reporter, expected=len(pending))
    for asset_id in pending:
        runner.submit(asset_id)
    result = runner.close()
    result.recovered = recovered
    result.asset_ids = sorted(result.asset_ids + broken)
    result.failed = sorted(result.failed + broken)
    return result


def _warm_later_steps(archive: Archive, later: Sequence[Job], threads: int) -> None:
    """Start, each in a background thread, what the queued ``later`` steps of an asset can
    prepare while its earlier steps run (``StepSpec.warm``: the transcriber's model loads
    while ffmpeg makes the speech audio)."""
    for job in later:
        spec = STEPS.get(job.step)
        if job.state != "queued" or spec is None or spec.warm is None:
            continue
        threading.Thread(
            target=_warm,
            args=(spec.warm, archive, {**spec.params, **(job.params or {})}, threads),
            name=f"mediaarchive-warm-{job.step}",
            daemon=True,
        ).start()


def _warm(warm: Callable[[Archive, dict[str, Any], int], None], *args: Any) -> None:
    try:
        warm(*args)
    except Exception:  # noqa: BLE001, S110 - the step meets the same error and reports it
        pass


def _run_asset(
    archive: Archive, asset_id: int, *, worker: str, threads: int, reporter: Reporter
) -> bool:
    """Run the asset's jobs in order until all are finished or one fails."""
    warmed = False
    while True:
        with archive.session() as session:
            jobs = session.scalars(
                select(Job).where(Job.asset_id == asset_id).order_by(Job.position)
            ).all()
            upcoming = next((job for job in jobs if job.state not in FINISHED), None)
            if upcoming is None:
                return True
            if upcoming.state != "queued":
                return upcoming.state != "failed"
            if not warmed:
                _warm_later_steps(archive, jobs[jobs.index(upcoming) + 1 :], max(1, threads))
                warmed = True
            job_id, step_name = upcoming.id, upcoming.step
            retry_at = float((upcoming.progress or {}).get("retry_at", 0))
        wait = retry_at - time.time()
        if wait > 0:
            time.sleep(wait)
        spec = STEPS.get(step_name)
        with nullcontext() if spec is None or spec.holds_cores else CORES.hold(threads):
            state = run_job(archive, job_id, worker=worker, threads=threads, progress=reporter)
        if state == "failed":
            return False
        if state not in FINISHED and state != "queued":
            return True  # another worker has it
        if state == "queued":
            with archive.session() as session:
                job = session.get(Job, job_id)
                if (
                    job is not None
                    and job.state == "queued"
                    and not (job.progress or {}).get("retry_at")
                ):
                    return True  # could not be claimed (an earlier step is unfinished)
