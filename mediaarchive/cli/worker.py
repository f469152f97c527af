"""Command: worker (a Celery worker that runs queued steps)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import main, pass_archive

if TYPE_CHECKING:
    from mediaarchive.services import Archive

#: The worker's Celery app, by import path (as ``celery -A`` takes it).
WORKER_APP = "mediaarchive.worker"


@main.command("worker")
@click.option(
    "--concurrency",
    "-c",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Steps run side by side (pool processes); each gets cores/concurrency threads.",
)
@click.option(
    "--queues",
    "-Q",
    default="default,asr",
    show_default=True,
    help="Queues to take work from: default (fetch, probe, transcode, ocr…) "
    "and/or asr (transcription).",
)
@click.option(
    "--name",
    "-n",
    default=None,
    help="Worker name shown by status (default celery@HOSTNAME; use %h for the host name).",
)
@click.option("--loglevel", default="INFO", show_default=True, help="Log level.")
@pass_archive
def worker_command(
    archive: Archive, concurrency: int, queues: str, name: str | None, loglevel: str
) -> None:
    """Process queued steps as a Celery worker (needs --broker, a shared --db and --store).

    Example: mediaarchive --broker redis://localhost:6379/0 worker --queues asr
    """
    names = tuple(q.strip() for q in queues.split(",") if q.strip())
    services.dispatch.run_worker(
        archive.settings,
        WORKER_APP,
        concurrency=concurrency,
        queues=names,
        name=name,
        loglevel=loglevel,
    )
