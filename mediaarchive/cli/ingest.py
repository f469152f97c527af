"""Command: ingest."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import (
    JOBS,
    JOBS_HELP,
    emit_json,
    fail_if,
    main,
    one_line,
    pass_archive,
    report_error,
    report_sent,
    start_profile,
)

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from mediaarchive.services import Archive
    from mediaarchive.services.ingest import IngestResult


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--event", help="Event the assets belong to (for a page: instead of its title).")
@click.option("--title", help="Title of the asset (for a single link or file).")
@click.option("--speaker", "speakers", multiple=True, help="A speaker (repeat for several).")
@click.option("--language", help="Spoken language of the assets (e.g. de).")
@click.option("--date", help="Date of the event (YYYY-MM-DD).")
@click.option("--description", help="Description of the assets.")
@click.option("--pipeline", help="Pipeline name or YAML file (default: chosen by kind).")
@click.option("--no-process", is_flag=True, help="Only fetch and record; process later.")
@click.option(
    "--update",
    is_flag=True,
    help="For assets archived already: apply the given --title, --speaker, --description "
    "and --date (each change recorded; without it, differences are only reported).",
)
@click.option("--by", help="Who makes --update's changes (default: your user name).")
@click.option(
    "--force",
    is_flag=True,
    help="Archive bytes that were purged before ('delete --purge') all the same.",
)
@click.option("--jobs", "-j", type=JOBS, default=None, help=JOBS_HELP)
@click.option(
    "--fetch-jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Downloads side by side, to different hosts (2 per host). [default: setting "
    "'fetch_jobs', 4]",
)
@click.option(
    "--accept-truncated",
    is_flag=True,
    help="Process a recording cut short as far as it goes (probe fails it otherwise).",
)
@click.option(
    "--profile",
    "profile_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write where the time went, per step and phase (load model, decode, guards, DB "
    "writes…), to this file (JSON if it ends in .json). [env: MEDIAARCHIVE_PROFILE]",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list of the results.")
@pass_archive
def ingest(
    archive: Archive,
    sources: tuple[str, ...],
    event: str | None,
    title: str | None,
    speakers: tuple[str, ...],
    language: str | None,
    date: str | None,
    description: str | None,
    pipeline: str | None,
    no_process: bool,
    update: bool,
    by: str | None,
    force: bool,
    jobs: int | None,
    fetch_jobs: int | None,
    accept_truncated: bool,
    profile_file: Path | None,
    as_json: bool,
) -> None:
    """Fetch SOURCES into the archive: S3/http links, files, folders, manifests
    (.yaml/.csv/.json) and Notion page exports (.txt/.md/.html/.zip).

    Example: mediaarchive ingest talks/ --event "Labcamp 4"
    """
    if profile_file is not None:
        start_profile(click.get_current_context(), profile_file)
    with services.process.terminal_progress() as reporter:
        processing = services.process.ProcessAsIngested(
            archive,
            enabled=not no_process,
            jobs=jobs,
            pipeline=pipeline,
            reporter=reporter,
            expected=services.process.count_local_assets(sources) if jobs == 0 else None,
        )

        def report(result: IngestResult) -> None:
            for warning in result.warnings:
                click.echo(f"Warning: {one_line(warning)}", err=True)
            if result.failed:
                report_error(result.error or "failed")
            elif not as_json:
                click.echo(_result_line(result))
            if result.differs:
                _report_differences(result)
            if not result.failed:
                processing.add(result.sha256)

        with DownloadBars() as bars:
            results = services.ingest.ingest_sources(
                archive,
                list(sources),
                event=event,
                title=title,
                speakers=list(speakers),
                language=language,
                date=date,
                description=description,
                pipeline=pipeline,
                reporter=report,
                progress=bars.update if bars.enabled else None,
                fetch_jobs=fetch_jobs,
                accept_truncated=accept_truncated,
                update=update,
                by=by,
                force=force,
            )
        outcome = processing.finish()
    report_sent(outcome)
    states = processing.states()
    for result in results:
        result.state = states.get(result.sha256 or "", result.state)
    if as_json:
        emit_json([result.to_json() for result in results])
    click.echo(_summary(results), err=True)
    fail_if(any(result.failed for result in results) or outcome.failed)


class DownloadBars:
    """Progress bars on stderr for downloads (only on a terminal, never in --json output)."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> DownloadBars:
        if self.enabled:
            # rich loads only for bars on a terminal: 'mediaarchive --help' lists this
            # command, and that must stay quick.
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, url: str, done: int, total: int | None) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(url)
        if task is None:
            name = url.rstrip("/").rsplit("/", 1)[-1][:40]
            task = self._tasks[url] = self._progress.add_task(name, total=total)
        self._progress.update(task, completed=done, total=total)


def _result_line(result: IngestResult) -> str:
    what = "archived" if result.created else "already archived"
    event = f"  [{result.event}]" if result.event else ""
    return one_line(f"{result.id}  {result.kind:<5}  {result.title}{event}  ({what})")


def _report_differences(result: IngestResult) -> None:
    for change in result.differs or []:
        verb = "updated" if result.updated else "differs"
        click.echo(
            f"{result.id}: {change['field']} {verb}: archived {change['old']!r}, "
            f"given {change['new']!r}",
            err=True,
        )
    if not result.updated:
        click.echo(f"{result.id}: add --update to apply the given values", err=True)


def _summary(results: list[IngestResult]) -> str:
    new = sum(1 for r in results if r.created)
    known = sum(1 for r in results if not r.failed and not r.created)
    failed = sum(1 for r in results if r.failed)
    parts = [f"{new} new", f"{known} already archived"]
    if failed:
        parts.append(f"{failed} failed")
    return f"{len(results)} asset(s): " + ", ".join(parts)
