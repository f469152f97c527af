"""Putting assets on the queues, and what the queues and workers are doing.

Each asset's pending jobs become a Celery chain: one ``run_step`` task per job, in pipeline
order, each sent to its step's queue (``StepSpec.queue``: "asr" for transcription, else
"default"), so CPU-heavy steps can be given their own machines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from celery import chain
from sqlalchemy import select

from mediaarchive.archive import Archive
from mediaarchive.db import Asset, Job
from mediaarchive.errors import ConfigError
from mediaarchive.pipeline.runner import queue_asset
from mediaarchive.steps import STEPS
from mediaarchive.worker.app import QUEUES, app, configure
from mediaarchive.worker.tasks import run_step

#: Job states a dispatch sends to the workers (running: interrupted, taken over there).
PENDING = ("queued", "running")


def queue_for(step: str) -> str:
    spec = STEPS.get(step)
    return spec.queue if spec is not None else "default"


def pending_assets(archive: Archive, asset_ids: Iterable[int] | None = None) -> list[int]:
    """Assets with work to do (of these, or of all); gives new assets their jobs first.

    An asset with a failed step waits for ``retry``, as with the in-process runner.
    """
    with archive.session() as session:
        query = select(Asset).where(Asset.state.in_(("queued", "running")))
        if asset_ids is not None:
            query = query.where(Asset.id.in_(list(asset_ids)))
        chosen = []
        for asset in session.scalars(query.order_by(Asset.id)).all():
            if not any(job.step in STEPS for job in asset.jobs):
                queue_asset(session, asset, home=archive.settings.home)
            states = {job.state for job in asset.jobs}
            if "failed" not in states and states & set(PENDING):
                chosen.append(asset.id)
        return chosen


def submit(archive: Archive, asset_ids: Iterable[int] | None = None) -> list[int]:
    """Queue the pending work of these assets (or of all) on the broker; returns asset ids."""
    chosen = pending_assets(archive, asset_ids)
    enqueue_assets(archive, chosen)
    return chosen


def enqueue_assets(archive: Archive, asset_ids: Iterable[int]) -> int:
    """Send the pending jobs of these assets (database ids) to the workers.

    Returns:
        How many tasks were sent.

    Raises:
        ConfigError: no broker is set, or it cannot be reached.
    """
    if not archive.settings.broker:
        raise ConfigError("no broker set: give --broker redis://HOST:6379/0 or run in-process")
    configure(archive.settings)
    sent = 0
    with archive.session() as session:
        for asset_id in asset_ids:
            jobs = session.scalars(
                select(Job)
                .where(Job.asset_id == asset_id, Job.state.in_(PENDING))
                .order_by(Job.position)
            ).all()
            signatures = [
                run_step.si(job.id).set(queue=queue_for(job.step))
                for job in jobs
                if job.step in STEPS
            ]
            if not signatures:
                continue
            try:
                chain(*signatures).apply_async()
            except Exception as exc:  # kombu raises several kinds of connection errors
                raise ConfigError(
                    f"cannot reach the broker {archive.settings.broker}: {exc}"
                ) from exc
            sent += len(signatures)
    return sent


@dataclass
class QueueInfo:
    name: str
    waiting: int

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "waiting": self.waiting}


def queue_lengths(archive: Archive) -> list[QueueInfo]:
    """Messages waiting in each queue (not those a worker holds)."""
    configure(archive.settings)
    infos = []
    try:
        with app.connection_for_write() as connection:
            channel = connection.default_channel
            for name in QUEUES:
                try:
                    declared = channel.queue_declare(queue=name, passive=True)
                    waiting = declared.message_count
                except Exception:  # noqa: BLE001 - a queue nobody declared yet is empty
                    waiting = 0
                    channel = connection.channel()
                infos.append(QueueInfo(name, int(waiting)))
    except Exception as exc:  # noqa: BLE001 - kombu wraps connection errors variously
        raise ConfigError(f"cannot reach the broker {archive.settings.broker}: {exc}") from exc
    return infos


def active_workers(archive: Archive, timeout: float = 1.0) -> dict[str, list[int]]:
    """Live workers and the job ids each is running right now."""
    configure(archive.settings)
    replies = app.control.inspect(timeout=timeout).active() or {}
    return {
        worker: [int(task["args"][0]) for task in tasks if task.get("args")]
        for worker, tasks in sorted(replies.items())
    }


@dataclass
class RunningStep:
    worker: str
    step: str
    asset_id: str
    seconds: float | None


def running_steps(archive: Archive) -> list[RunningStep]:
    """Which worker runs what right now, from the job table (the truth)."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    with archive.session() as session:
        rows = session.execute(
            select(Job.worker, Job.step, Asset.sha256, Job.started_at)
            .join(Asset, Asset.id == Job.asset_id)
            .where(Job.state == "running")
            .order_by(Job.worker, Job.started_at)
        ).all()
    running = []
    for worker, step, sha256, started in rows:
        if started is not None and started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        seconds = (now - started).total_seconds() if started else None
        running.append(RunningStep(worker or "?", step, sha256[:12], seconds))
    return running


def overview_lines(archive: Archive) -> list[str]:
    """Human lines for ``status`` with a broker: queue lengths and who runs what."""
    queues = ", ".join(f"{q.name} {q.waiting}" for q in queue_lengths(archive))
    lines = [f"Queues (tasks waiting): {queues}"]
    running = running_steps(archive)
    if not running:
        lines.append("Workers: none running a step")
    for item in running:
        since = f" for {item.seconds:.0f} s" if item.seconds is not None else ""
        lines.append(f"Worker {item.worker}: {item.step} of {item.asset_id}{since}")
    return lines
