"""The Celery application, configured from the archive's settings.

Reliability settings (why each):
- ``task_acks_late``: a message is acknowledged only after its step finished, so a worker
  that dies mid-step leaves the message with the broker, which hands it to another worker.
- ``worker_prefetch_multiplier = 1``: a busy worker holds no further messages hostage.
- ``task_reject_on_worker_lost``: when a pool process is killed, its message is requeued
  at once instead of being acknowledged as failed.
- Redis ``visibility_timeout``: how long an unacknowledged message stays with a worker that
  vanished as a whole (SIGKILL, machine lost) before it is redelivered. A step may run
  longer than that: the redelivered copy finds the job claimed by a live worker and waits.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu import Queue

from mediaarchive.config import Settings

#: Queues: "default" for fetch/probe/transcode/ocr/…, "asr" for transcription.
QUEUES = ("default", "asr")

app = Celery("mediaarchive", include=["mediaarchive.worker.tasks"])
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    task_default_queue="default",
    task_queues=[Queue(name) for name in QUEUES],
    task_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_send_task_events=True,
    task_send_sent_event=False,
)

_settings: Settings | None = None


def configure(settings: Settings) -> Celery:
    """Point the app at the settings' broker; tasks in this process use these settings."""
    global _settings
    _settings = settings
    transport: dict[str, Any] = {}
    broker = settings.broker or "memory://"
    if broker.startswith(("redis://", "rediss://", "sentinel://")):
        timeout = int(settings.worker_visibility_timeout)
        transport = {
            "visibility_timeout": timeout,
            # Sweep for abandoned messages often enough that the timeout is what counts.
            "unacked_restore_interval": max(1, min(10, timeout // 2)),
            "unacked_restore_throttle": 1,
        }
    app.conf.update(broker_url=broker, broker_transport_options=transport)
    return app


def current_settings() -> Settings:
    """The settings this process was configured with (else from the environment)."""
    global _settings
    if _settings is None:
        configure(Settings.load())
    assert _settings is not None
    return _settings


# ``celery -A mediaarchive.worker worker`` configures from MEDIAARCHIVE_* variables.
configure(Settings.load())


def run_worker(
    settings: Settings,
    *,
    concurrency: int = 1,
    queues: tuple[str, ...] = QUEUES,
    name: str | None = None,
    loglevel: str = "INFO",
) -> None:
    """Run a Celery worker in this process until it is stopped (Ctrl-C, SIGTERM)."""
    from mediaarchive.archive import Archive
    from mediaarchive.errors import ConfigError

    if not settings.broker:
        raise ConfigError("a worker needs a broker: give --broker redis://HOST:6379/0 "
                          "(or set MEDIAARCHIVE_BROKER)")
    unknown = sorted(set(queues) - set(QUEUES))
    if unknown or not queues:
        raise ConfigError(f"unknown queue(s) {', '.join(unknown) or '(none)'}: "
                          f"choose from {', '.join(QUEUES)}")
    if concurrency < 1:
        raise ConfigError("--concurrency must be at least 1")
    # Bring the schema up to date once, here, before the pool processes fork.
    archive = Archive(settings)
    archive.db  # noqa: B018 - opening the database runs the migrations
    archive.close()
    configure(settings)
    argv = ["worker", f"--concurrency={concurrency}", f"--queues={','.join(queues)}",
            f"--loglevel={loglevel}", "--without-gossip", "--without-mingle"]
    if name:
        argv.append(f"--hostname={name}")
    app.worker_main(argv)
