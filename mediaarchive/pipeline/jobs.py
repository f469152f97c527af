"""Jobs: one per (asset, step). Queueing an asset's pipeline, and running ONE job.

``run_job`` is the single implementation of "run one step of one asset": the local runner
and the Celery tasks both call it. It claims the job with one conditional UPDATE
(queued -> running), so two workers never run the same job, calls the step function with a
``StepContext`` and records state, attempts, timings and error.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from mediaarchive import profiling
from mediaarchive.archive import Archive, record_damage
from mediaarchive.db import Asset, Job, retry_while_busy
from mediaarchive.errors import DamagedError, MediaArchiveError, NotFoundError
from mediaarchive.pipeline.definitions import RECORDED_STEPS, Pipeline, resolve_pipeline
from mediaarchive.pipeline.progress import NullReporter, Reporter
from mediaarchive.pipeline.workdirs import job_workdir, remove_workdirs
from mediaarchive.steps import STEPS, SkipStep, StepContext

FINISHED = ("done", "skipped")
#: Longest wait between two attempts of a transient failure.
MAX_BACKOFF = 60.0


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_worker() -> str:
    """The worker name of this process for jobs it runs itself."""
    return f"local:{os.getpid()}"


# --------------------------------------------------------------------------- queueing


def queue_asset(
    session: Session,
    asset: Asset,
    pipeline: Pipeline | str | None = None,
    *,
    home: Path | None = None,
) -> list[Job]:
    """Create (or bring up to date) the asset's jobs, one per pipeline step, in order.

    ``pipeline`` is a ``Pipeline``, a name or a file; by default the one chosen at ingest
    (``asset.pipeline``), else the default for the asset's kind. Steps that do not apply to
    the kind are recorded as skipped; "fetch" is recorded as done (ingest fetched the bytes).
    Jobs already done with the same parameters are kept, so queueing again is safe.

    Raises:
        PipelineError: the pipeline does not exist or is invalid.
    """
    if isinstance(pipeline, Pipeline):
        chosen: Pipeline | None = pipeline
    else:
        chosen = resolve_pipeline(asset.kind, pipeline or asset.pipeline, home)
        if pipeline:
            asset.pipeline = pipeline
    existing = {job.step: job for job in asset.jobs}
    jobs: list[Job] = []
    for position, pipeline_step in enumerate(chosen.steps if chosen else ()):
        params = pipeline_step.effective_params()
        job = existing.pop(pipeline_step.name, None)
        if job is not None and (
            job.state == "running" or (job.state in FINISHED and job.params == params)
        ):
            job.position = position
            jobs.append(job)
            continue
        if job is None:
            job = Job(step=pipeline_step.name, asset=asset)
            session.add(job)
        job.position = position
        job.params = params
        job.error = None
        job.started_at = job.finished_at = job.seconds = None
        if not pipeline_step.applies_to(asset.kind):
            job.state = "skipped"
            job.progress = {"reason": f"does not apply to {asset.kind} assets"}
        elif pipeline_step.name in RECORDED_STEPS and pipeline_step.name not in STEPS:
            job.state = "done"
            job.attempts = max(job.attempts or 0, 1)
            job.worker = "ingest"
            job.finished_at = asset.created_at or utcnow()
        else:
            job.state = "queued"
            job.attempts = 0
            job.progress = None
        jobs.append(job)
    for stale in existing.values():
        if stale.state != "running":
            session.delete(stale)
    session.flush()
    asset.state = overall_state(job.state for job in jobs)
    return jobs


def overall_state(states: Iterable[str]) -> str:
    """An asset's state from its jobs': failed > running > queued > done."""
    states = list(states)
    if any(s == "failed" for s in states):
        return "failed"
    if any(s == "running" for s in states):
        return "running"
    if any(s == "queued" for s in states):
        return "queued"
    return "done"


def sync_asset_state(session: Session, asset_id: int) -> str:
    states = session.scalars(select(Job.state).where(Job.asset_id == asset_id)).all()
    state = overall_state(states)
    session.execute(
        update(Asset).where(Asset.id == asset_id).values(state=state, updated_at=utcnow())
    )
    return state


# --------------------------------------------------------------------------- one job


def retry_delay(attempt: int, base: float) -> float:
    """Exponential backoff with jitter: base, 2 base, 4 base… (at most a minute)."""
    return min(MAX_BACKOFF, base * 2 ** max(0, attempt - 1)) * random.uniform(0.8, 1.2)


def run_job(
    archive: Archive,
    job_id: int,
    *,
    worker: str,
    threads: int,
    progress: Reporter | None = None,
) -> str:
    """Claim one queued job, run its step and record the outcome; returns the job's state.

    Returns the job's current state without running it when it is not queued (another
    worker has it, or it is finished) or when an earlier step of the asset is not finished.
    A transient failure with attempts left returns "queued" (``job.progress["retry_at"]``
    says when); a permanent one, or the last attempt, returns "failed".
    """
    reporter = progress or NullReporter()
    with profiling.phase("claim jobs (DB)"), archive.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id}")
        if job.state != "queued":
            return job.state
        earlier = session.scalars(
            select(Job.state).where(Job.asset_id == job.asset_id, Job.position < job.position)
        ).all()
        if any(state not in FINISHED for state in earlier):
            return job.state
        claimed = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == "queued")
            .values(
                state="running",
                worker=worker,
                attempts=Job.attempts + 1,
                started_at=utcnow(),
                finished_at=None,
                seconds=None,
                error=None,
                progress={**(job.progress or {}), "host": socket.gethostname()},
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            session.rollback()
            return session.scalar(select(Job.state).where(Job.id == job_id)) or "queued"
        sync_asset_state(session, job.asset_id)
        asset_label = session.get(Asset, job.asset_id).short_id  # type: ignore[union-attr]
        step_name = job.step
    reporter.step_started(job_id, asset_label, step_name)
    with profiling.step(asset_label, step_name):
        state, seconds, message = _run_claimed(archive, job_id, threads, reporter)
    reporter.step_finished(job_id, asset_label, step_name, state, seconds, message)
    return state


def _run_claimed(
    archive: Archive, job_id: int, threads: int, reporter: Reporter
) -> tuple[str, float | None, str | None]:
    """Run the claimed job's step; returns (state, seconds, message)."""
    started = time.monotonic()
    # Whatever an earlier, interrupted attempt left is half-made: we hold the claim now.
    remove_workdirs(archive, job_id)
    workdir = job_workdir(archive, job_id)
    session = archive.db.sessions()
    state, message, seconds = "failed", None, None
    try:
        job = session.get(Job, job_id)
        assert job is not None
        spec = STEPS.get(job.step)
        try:
            if spec is None:
                raise MediaArchiveError(
                    f"step {job.step!r} is not registered: is its package installed?"
                )
            context = StepContext(
                archive=archive,
                session=session,
                asset=job.asset,
                job=job,
                params={**spec.params, **(job.params or {})},
                threads=max(1, threads),
                workdir=workdir,
                progress=lambda done, total, unit: reporter.step_progress(
                    job_id, done, total, unit
                ),
            )
            spec.run(context)
            with profiling.phase("DB writes"):
                session.flush()
            state = "done"
        except SkipStep as exc:
            session.flush()
            state, message = "skipped", str(exc) or None
        except (KeyboardInterrupt, SystemExit):
            session.rollback()
            _record(archive, job_id, "queued", None, time.monotonic() - started, interrupted=True)
            raise
        except Exception as exc:  # noqa: BLE001 - one step failing must not stop the run
            session.rollback()
            if isinstance(exc, DamagedError):
                record_damage(archive, exc)
            state, message = _failure(archive, session, job_id, exc)
        seconds = time.monotonic() - started
        if state in FINISHED:
            try:
                with profiling.phase("DB writes"):
                    _finish(session, job_id, state, message, seconds)
                    session.commit()
            except OperationalError as exc:
                session.rollback()
                state, message = _failure(archive, session, job_id, exc)
        if state not in FINISHED:
            _record(archive, job_id, state, message, seconds)
    finally:
        session.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return state, seconds, message


def _failure(
    archive: Archive, session: Session, job_id: int, exc: BaseException
) -> tuple[str, str]:
    """Decide between retrying later ("queued") and giving up ("failed")."""
    if isinstance(exc, MediaArchiveError):
        message, transient = str(exc), exc.transient
    elif isinstance(exc, OperationalError):
        message, transient = f"database busy: {exc.orig}", True
    else:
        message = f"internal error in the step ({type(exc).__name__}: {exc}); please report it"
        transient = False
    if not transient:
        return "failed", message
    job = session.get(Job, job_id)
    assert job is not None
    used = (job.attempts or 0) - int((job.progress or {}).get("retry_base", 0))
    if used < archive.settings.step_retries:
        return "queued", message
    return "failed", f"{message} (gave up after {used} attempts)"


def _finish(session: Session, job_id: int, state: str, message: str | None, seconds: float) -> None:
    job = session.get(Job, job_id)
    assert job is not None
    job.state = state
    job.error = None
    job.finished_at = utcnow()
    job.seconds = round(seconds, 3)
    progress = {k: v for k, v in (job.progress or {}).items() if k != "retry_at"}
    if message:
        progress["reason"] = message
    job.progress = progress
    session.flush()
    sync_asset_state(session, job.asset_id)


def _record(
    archive: Archive,
    job_id: int,
    state: str,
    message: str | None,
    seconds: float,
    *,
    interrupted: bool = False,
) -> None:
    """Record a failure, a retry or an interruption in a fresh transaction.

    Raises:
        DatabaseBusyError: the database stayed busy, so the job still shows as running.
    """

    def record() -> None:
        with archive.session() as session:
            job = session.get(Job, job_id)
            assert job is not None
            progress = dict(job.progress or {})
            job.state = state
            job.error = message
            job.seconds = round(seconds, 3)
            job.finished_at = utcnow()
            if state == "queued" and not interrupted:
                delay = retry_delay(job.attempts, archive.settings.step_retry_delay)
                progress["retry_at"] = time.time() + delay
            if interrupted:
                progress["interrupted"] = int(progress.get("interrupted", 0)) + 1
            job.progress = progress
            session.flush()
            sync_asset_state(session, job.asset_id)

    retry_while_busy(
        record,
        what=f"cannot record that job {job_id} is {state}",
        then="'mediaarchive run' picks the step up again once this process has ended",
        attempts=5,
        wait=0.5,
        retry_on=lambda exc: isinstance(exc, OperationalError),
    )


def retry(archive: Archive, asset_ids: Sequence[int] | None = None) -> list[int]:
    """Queue the failed steps again (of these assets, or of all). Returns the asset ids."""
    with archive.session() as session:
        query = select(Job).where(Job.state == "failed")
        if asset_ids:
            query = query.where(Job.asset_id.in_(asset_ids))
        failed = session.scalars(query).all()
        for job in failed:
            progress: dict[str, Any] = dict(job.progress or {})
            progress["retry_base"] = job.attempts or 0
            progress.pop("retry_at", None)
            job.progress = progress
            job.state = "queued"
            job.error = None
        session.flush()
        assets = sorted({job.asset_id for job in failed})
        for asset_id in assets:
            sync_asset_state(session, asset_id)
    return assets
