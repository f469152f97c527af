"""The broker: putting pending work on the Celery queues, and seeing what the workers do.

The Celery configuration is declared here once; the worker edge (``mediaarchive.worker``)
builds its app from it, and this module talks to the same broker through a client app that
sends tasks by name, so nothing here imports the worker. Each asset's pending jobs become a
chain of ``run_step`` tasks, one per job in pipeline order, each on its step's queue
(``StepSpec.queue``: "asr" for transcription, else "default"), so CPU-heavy steps can be
given their own machines. The job table stays the truth: a task only names a job id.

Reliability settings (why each):

- ``task_acks_late``: a message is acknowledged only after its step finished, so a worker
  that dies mid-step leaves the message with the broker, which hands it to another worker.
- ``worker_prefetch_multiplier = 1``: a busy worker holds no further messages hostage.
- ``task_reject_on_worker_lost``: when a pool process is killed, its message is requeued
  at once instead of being acknowledged as failed.
- Redis ``visibility_timeout``: how long an unacknowledged message stays with a worker that
  vanished as a whole (SIGKILL, machine lost) before it is redelivered. A step may run
  longer than that: the redelivered copy finds the job claimed by a live worker and waits.
- Redis ``unacked_mutex_expire`` (at most the visibility timeout): the lock a worker takes
  while it sweeps for such messages. Kombu keeps it 5 minutes; a worker killed during its
  sweep would otherwise stop every other worker's sweeps, and so the redelivery, that long.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mediaarchive.archive import Archive
from mediaarchive.config import Settings, describe_settings
from mediaarchive.db import Asset, Job
from mediaarchive.db.plain import short_id
from mediaarchive.errors import ConfigError
from mediaarchive.pipeline.pending import Pending, pending_assets
from mediaarchive.pipeline.progress import Reporter
from mediaarchive.steps import STEPS

if TYPE_CHECKING:
    from celery import Celery

__all__ = [
    "QUEUES",
    "RUN_STEP",
    "QueueInfo",
    "RunningStep",
    "broker_app",
    "celery_config",
    "enqueue_assets",
    "overview_lines",
    "queue_for",
    "queue_lengths",
    "run_worker",
    "running_steps",
    "submit",
]

#: Queues: "default" for fetch/probe/transcode/ocr/…, "asr" for transcription.
QUEUES = ("default", "asr")
#: The task that runs one job (defined by the worker edge under this name).
RUN_STEP = "mediaarchive.run_step"
#: Seconds the Redis sweep lock outlives a worker killed while holding it (Kombu's default).
UNACKED_MUTEX_EXPIRE = 300


def celery_config(settings: Settings) -> dict[str, Any]:
    """The Celery settings of the workers and of the client that sends them work."""
    return _config(settings.broker or "memory://", int(settings.worker_visibility_timeout))


def _config(broker: str, timeout: int) -> dict[str, Any]:
    from kombu import Queue

    transport: dict[str, Any] = {}
    if broker.startswith(("redis://", "rediss://", "sentinel://")):
        transport = {
            "visibility_timeout": timeout,
            # Sweep for abandoned messages often enough that the timeout is what counts.
            "unacked_restore_interval": max(1, min(10, timeout // 2)),
            "unacked_restore_throttle": 1,
            "unacked_mutex_expire": min(UNACKED_MUTEX_EXPIRE, timeout),
        }
    return {
        "broker_url": broker,
        "broker_transport_options": transport,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "task_default_queue": "default",
        "task_queues": [Queue(name) for name in QUEUES],
        "task_serializer": "json",
        "accept_content": ["json"],
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "worker_send_task_events": True,
        "task_send_sent_event": False,
    }


def broker_app(settings: Settings) -> Celery:
    """A Celery client on the settings' broker (one per broker, reused).

    Raises:
        ConfigError: no broker is set.
    """
    if not settings.broker:
        raise ConfigError("no broker set: give --broker redis://HOST:6379/0 or run in-process")
    return _client(settings.broker, int(settings.worker_visibility_timeout))


@lru_cache(maxsize=8)
def _client(broker: str, visibility_timeout: int) -> Celery:
    from celery import Celery

    app = Celery("mediaarchive", set_as_current=False)
    app.conf.update(_config(broker, visibility_timeout))
    return app


def queue_for(step: str) -> str:
    """The queue a step's tasks go to."""
    spec = STEPS.get(step)
    return spec.queue if spec is not None else "default"


def submit(
    archive: Archive, asset_ids: Iterable[int] | None = None, *, reporter: Reporter | None = None
) -> Pending:
    """Queue the pending work of these assets (database ids; or of all) on the broker.

    Raises:
        ConfigError: no broker is set, or it cannot be reached.
    """
    broker_app(archive.settings)  # no broker: say so before changing anything
    with archive.session() as session:
        pending = pending_assets(
            session, asset_ids, home=archive.settings.home, include_running=True, reporter=reporter
        )
    enqueue_assets(archive, pending.asset_ids)
    return pending


def enqueue_assets(archive: Archive, asset_ids: Iterable[int]) -> int:
    """Send the waiting jobs of these assets (database ids) to the workers.

    Returns:
        How many tasks were sent.

    Raises:
        ConfigError: no broker is set, or it cannot be reached.
    """
    from celery import chain

    app = broker_app(archive.settings)
    sent = 0
    with archive.session() as session:
        for asset_id in asset_ids:
            jobs = session.scalars(
                select(Job)
                .where(Job.asset_id == asset_id, Job.state.in_(("queued", "running")))
                .order_by(Job.position)
            ).all()
            signatures = [
                app.signature(RUN_STEP, args=(job.id,), immutable=True, queue=queue_for(job.step))
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
    app = broker_app(archive.settings)
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


@dataclass
class RunningStep:
    worker: str
    step: str
    asset_id: str
    seconds: float | None


def running_steps(archive: Archive) -> list[RunningStep]:
    """Which worker runs what right now, from the job table (the truth)."""
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
        running.append(RunningStep(worker or "?", step, short_id(sha256), seconds))
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


def run_worker(
    settings: Settings,
    app: str,
    *,
    concurrency: int = 1,
    queues: Sequence[str] = QUEUES,
    name: str | None = None,
    loglevel: str = "INFO",
) -> None:
    """Run the Celery worker app named by ``app`` (an import path, as ``celery -A`` takes
    it) in this process until it is stopped (Ctrl-C, SIGTERM).

    The worker reads its settings from ``MEDIAARCHIVE_*`` variables (as under
    ``celery -A``), so these settings are put there first.

    Raises:
        ConfigError: no broker, an unknown queue, or a concurrency below 1.
    """
    if not settings.broker:
        raise ConfigError(
            "a worker needs a broker: give --broker redis://HOST:6379/0 "
            "(or set MEDIAARCHIVE_BROKER)"
        )
    unknown = sorted(set(queues) - set(QUEUES))
    if unknown or not queues:
        raise ConfigError(
            f"unknown queue(s) {', '.join(unknown) or '(none)'}: choose from {', '.join(QUEUES)}"
        )
    if concurrency < 1:
        raise ConfigError("--concurrency must be at least 1")
    # Bring the schema up to date once, here, before the pool processes fork.
    archive = Archive(settings)
    archive.db  # noqa: B018 - opening the database runs the migrations
    archive.close()
    for field_name, variable, _help in describe_settings():
        value = getattr(settings, field_name)
        if value is not None:
            os.environ[variable] = str(value)
    from celery.app.utils import find_app

    worker_app = find_app(app)
    worker_app.conf.update(celery_config(settings))
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        f"--queues={','.join(queues)}",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
    ]
    if name:
        argv.append(f"--hostname={name}")
    worker_app.worker_main(argv)
