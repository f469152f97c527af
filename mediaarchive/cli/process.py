"""Commands: run, retry, pipelines."""

from __future__ import annotations

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
)

if TYPE_CHECKING:
    from mediaarchive.services import Archive
    from mediaarchive.services.process import ProcessOutcome


def report_outcome(outcome: ProcessOutcome, as_json: bool) -> None:
    """The assets' states (stdout), where the work went (stderr); exit 1 if one failed."""
    for result in outcome.fetched:
        if result.failed:
            report_error(result.error or "failed")
    if as_json:
        emit_json(outcome.assets)
    else:
        if not outcome.assets and not outcome.broker and not outcome.fetched:
            click.echo("Nothing to do: no asset is queued or interrupted.", err=True)
        for summary in outcome.assets:
            click.echo(one_line(f"{summary['id']}  {summary['state']:<7} {summary['title'] or ''}"))
    report_sent(outcome)
    fail_if(outcome.failed)


@main.command("run")
@click.argument("ids", nargs=-1)
@click.option(
    "--jobs", "-j", type=JOBS, default=None, help=JOBS_HELP + " [default: setting 'jobs']"
)
@click.option("--json", "as_json", is_flag=True, help="Print the assets' states as JSON.")
@pass_archive
def run_command(archive: Archive, ids: tuple[str, ...], jobs: int | None, as_json: bool) -> None:
    """Process whatever is queued or was interrupted (optionally only assets IDS).

    Example: mediaarchive run --jobs 2
    """
    with services.process.terminal_progress() as reporter:
        outcome = services.process.process_pending(archive, ids, jobs=jobs, reporter=reporter)
    report_outcome(outcome, as_json)


@main.command("retry")
@click.argument("ids", nargs=-1)
@click.option("--jobs", "-j", type=JOBS, default=None, help=JOBS_HELP)
@click.option(
    "--accept-truncated",
    is_flag=True,
    help="Process a recording cut short as far as it goes (probe fails it otherwise).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the assets' states as JSON.")
@pass_archive
def retry_command(
    archive: Archive,
    ids: tuple[str, ...],
    jobs: int | None,
    accept_truncated: bool,
    as_json: bool,
) -> None:
    """Run the failed steps again (of assets IDS, or of every asset).

    Example: mediaarchive retry 8e33b6
    """
    with services.process.terminal_progress() as reporter:
        outcome = services.process.retry_failed(
            archive, ids, jobs=jobs, reporter=reporter, accept_truncated=accept_truncated
        )
    if not outcome.retried and not outcome.fetched:
        click.echo("No failed steps to retry.", err=True)
    report_outcome(outcome, as_json)


@main.command("pipelines")
@click.option(
    "--check",
    "check",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Validate a pipeline file and show its steps.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the pipelines as JSON.")
@pass_archive
def pipelines_command(archive: Archive, check: Path | None, as_json: bool) -> None:
    """List the pipelines (built-in and the home's pipelines/*.yaml) and their steps.

    Example: mediaarchive pipelines --check my-pipeline.yaml
    """
    document = services.process.describe_pipelines(archive, check)
    if as_json:
        emit_json(document)
        return
    for item in document:
        kinds = ", ".join(item["kinds"]) or "-"
        click.echo(f"{item['name']}  (default for: {kinds})  {item['path']}")
        for step in item["steps"]:
            params = ", ".join(f"{k}={v}" for k, v in step["params"].items())
            click.echo(f"  - {step['name']}" + (f": {params}" if params else ""))
