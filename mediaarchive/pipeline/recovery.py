"""Resuming after a crash: jobs left "running" by a process that is gone are queued again.

A process killed mid-run (kill -9) leaves its job "running" with its pid as the worker; the
next run finds those whose process no longer exists, removes their half-made files and
queues them again. Finished steps stay finished. Jobs of Celery workers are left to the
broker, which redelivers them.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from sqlalchemy import select

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
