"""One Celery task per (asset, step): it runs the job through ``pipeline.run_job``.

The task carries only a job id; the job row says what to do and records what happened.
Delivery is at least once (a killed worker's message comes back), so a task first looks at
its job:

- done or skipped: nothing to do, the chain goes on;
- failed: the chain stops (``mediaarchive retry`` queues the asset again);
- running: if the worker that claimed it is alive and still runs it, this is a duplicate
  delivery and the task looks again later; if that worker is gone, the job was interrupted
  and is taken over;
- queued: ``run_job`` claims it atomically, so of two copies only one ever runs the step.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from celery import Task
from celery.exceptions import Ignore
from celery.signals import worker_init

from mediaarchive.config import cpu_count
from mediaarchive.pipeline import job_snapshot, run_job, take_over
from mediaarchive.services import Archive
from mediaarchive.services.dispatch import RUN_STEP
from mediaarchive.worker.app import app, current_settings

log = logging.getLogger(__name__)

#: Pool processes of this worker (set in the worker's main process before forking).
_concurrency = 1
_archive: Archive | None = None


@worker_init.connect
def _remember_concurrency(sender: Any = None, **_: Any) -> None:
    global _concurrency
    _concurrency = max(1, int(getattr(sender, "concurrency", 1) or 1))


def worker_archive() -> Archive:
    """This process's archive (database engine and store client made after the fork)."""
    global _archive
    if _archive is None:
        _archive = Archive(current_settings())
    return _archive


def step_threads() -> int:
    """CPU threads for one step: the worker's share of the cores (jobs × threads ≤ cores)."""
    total = current_settings().threads or cpu_count()
    return max(1, total // _concurrency)


def _claimant_runs_it(job_id: int, claimant: str | None, me: str) -> bool:
    """Whether the worker that claimed the job is alive and still running it."""
    if not claimant:
        return False
    replies = app.control.inspect(destination=[claimant], timeout=2.0).active() or {}
    for task in replies.get(claimant, []):
        args = task.get("args")
        if task.get("name") != run_step.name or list(args or []) != [job_id]:
            continue
        # A copy redelivered to this very process is not the original still running.
        if claimant == me and task.get("worker_pid") == os.getpid():
            continue
        return True
    return False


class StepTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    max_retries = None


@app.task(bind=True, base=StepTask, name=RUN_STEP)
def run_step(self: Task, job_id: int) -> str:
    """Run one job (one step of one asset); returns the job's state."""
    archive = worker_archive()
    me = self.request.hostname or f"celery:{os.getpid()}"
    snapshot = job_snapshot(archive, job_id)
    if snapshot is None:
        log.warning("job %s no longer exists (asset deleted?); skipping", job_id)
        raise Ignore()
    state, claimant = snapshot.state, snapshot.worker
    if state == "running":
        if _claimant_runs_it(job_id, claimant, me):
            log.info("job %s runs on %s; looking again later", job_id, claimant)
            raise self.retry(countdown=current_settings().worker_poll_seconds)
        log.warning("job %s was interrupted on %s; taking it over", job_id, claimant)
        take_over(archive, job_id, claimant)
        state = "queued"
    if state == "queued":
        state = run_job(archive, job_id, worker=me, threads=step_threads())
        if state == "running":  # another copy claimed it between our look and our claim
            raise self.retry(countdown=current_settings().worker_poll_seconds)
        if state == "queued":
            # A transient failure (the runner says when to try again), or an earlier step
            # of the asset is not finished yet.
            snapshot = job_snapshot(archive, job_id)
            retry_at = snapshot.retry_at if snapshot else 0.0
            wait = retry_at - time.time() if retry_at else current_settings().worker_poll_seconds
            raise self.retry(countdown=max(1.0, wait))
    if state == "failed":
        # The error is in the job row; later steps of this asset wait for a retry.
        raise Ignore()
    return state
