"""Resuming after a crash: jobs left "running" by a process that is gone are queued again.

A process killed mid-run (kill -9) leaves its job "running" with its pid as the worker; the
next run finds those whose process no longer exists, removes their half-made files and
queues them again. Finished steps stay finished. Jobs of Celery workers are left to the
broker, which redelivers them: the redelivered task looks at its job (``job_snapshot``) and
takes over one whose worker is gone (``take_over``).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update

from mediaarchive.archive import Archive
from mediaarchive.db import Job
from mediaarchive.pipeline.jobs import sync_asset_state
from mediaarchive.pipeline.workdirs import remove_workdirs


def _process_gone(worker: str | None, host: str | None) -> bool:
    """True when the local process that claimed a job no longer exists."""
    if not worker or not worker.startswith("local:"):
        return False  # a Celery worker: its broker redelivers the task
    if host and host != socket.gethostname():
        return False
    try:
        pid = int(worker.split(":", 1)[1])
    except ValueError:
        return True
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    # The pid was reused by something else: the process that claimed the job is gone.
    return b"mediaarchive" not in cmdline and b"pytest" not in cmdline


def recover_interrupted(archive: Archive) -> list[int]:
    """Queue again the jobs left "running" by a process that died; remove their files.

    Returns the ids of the jobs requeued.
    """
    requeued: list[int] = []
    with archive.session() as session:
        running = session.scalars(select(Job).where(Job.state == "running")).all()
        for job in running:
            if not _process_gone(job.worker, (job.progress or {}).get("host")):
                continue
            progress = dict(job.progress or {})
            progress["interrupted"] = int(progress.get("interrupted", 0)) + 1
            job.state = "queued"
            job.progress = progress
            job.error = None
            requeued.append(job.id)
        session.flush()
        for asset_id in {job.asset_id for job in running if job.id in requeued}:
            sync_asset_state(session, asset_id)
    for job_id in requeued:
        remove_workdirs(archive, job_id)
    return requeued


@dataclass
class JobSnapshot:
    """What a worker needs to know about a job a task names (it may be a redelivery)."""

    state: str
    #: The worker that claimed the job last (``celery@host`` or ``local:PID``).
    worker: str | None
    #: When a transient failure may be retried (epoch seconds; 0: at once).
    retry_at: float


def job_snapshot(archive: Archive, job_id: int) -> JobSnapshot | None:
    """The job's state, claimant and retry time; None when the job no longer exists."""
    with archive.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            return None
        return JobSnapshot(job.state, job.worker, float((job.progress or {}).get("retry_at", 0)))


def take_over(archive: Archive, job_id: int, claimant: str | None) -> bool:
    """Queue again a job its vanished claimant left running (unless someone else did)."""
    with archive.session() as session:
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == "running", Job.worker == claimant)
            .values(state="queued")
        )
        return result.rowcount == 1
