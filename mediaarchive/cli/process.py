"""Commands: run, retry, pipelines; and the processing that ``ingest`` starts."""

from __future__ import annotations

import click
from sqlalchemy import select

from mediaarchive.archive import Archive, find_asset
from mediaarchive.cli.base import emit_json, fail_if, main, pass_archive
from mediaarchive.db import Asset
from mediaarchive.pipeline.definitions import find_pipeline, list_pipelines, load_pipeline
from mediaarchive.pipeline.progress import make_reporter
from mediaarchive.pipeline.runner import (
    LocalRunner,
    RunResult,
    retry,
    run_queued,
    run_summaries,
)


def _asset_ids(archive: Archive, ids: tuple[str, ...]) -> list[int] | None:
    if not ids:
        return None
    with archive.session() as session:
        return [find_asset(session, asset_id).id for asset_id in ids]


def _process(archive: Archive, asset_ids: list[int] | None, jobs: int | None,
             as_json: bool) -> None:
    if archive.settings.broker:
        _submit(archive, asset_ids, as_json)
        return
    reporter = make_reporter()
    try:
        result: RunResult = run_queued(archive, jobs=jobs, asset_ids=asset_ids,
                                       reporter=reporter)
    finally:
        close = getattr(reporter, "close", None)
        if close:
            close()
    summaries = run_summaries(archive, result.asset_ids)
    if as_json:
        emit_json(summaries)
    else:
        if not summaries:
            click.echo("Nothing to do: no asset is queued or interrupted.", err=True)
        for summary in summaries:
            click.echo(f"{summary['id']}  {summary['state']:<7} {summary['title'] or ''}")
    fail_if(bool(result.failed))


def _submit(archive: Archive, asset_ids: list[int] | None, as_json: bool) -> None:
    """With a broker, the work goes to the Celery workers instead of running here."""
    from mediaarchive.worker.dispatch import submit

    submitted = submit(archive, asset_ids)
    summaries = run_summaries(archive, submitted)
    if as_json:
        emit_json(summaries)
    else:
        for summary in summaries:
            click.echo(f"{summary['id']}  {summary['state']:<7} {summary['title'] or ''}")
    click.echo(f"{len(submitted)} asset(s) queued for the workers at {archive.settings.broker}; "
               "see 'mediaarchive status'.", err=True)


class ProcessAsIngested:
    """Processing for ``ingest``: each asset starts as soon as it is fetched (the next fetch
    overlaps it), or, with a broker, all of them go to the workers at the end."""

    def __init__(self, archive: Archive, *, enabled: bool, jobs: int | None,
                 pipeline: str | None) -> None:
        self.archive = archive
        self.enabled = enabled
        self.sha256s: list[str] = []
        self.reporter = None
        self.runner: LocalRunner | None = None
        if pipeline:
            find_pipeline(pipeline, archive.settings.home)  # a typo fails before fetching
        if enabled and not archive.settings.broker:
            self.reporter = make_reporter()
            self.runner = LocalRunner(archive, jobs=jobs, reporter=self.reporter)

    def add(self, sha256: str | None) -> None:
        if self.enabled and sha256:
            self.sha256s.append(sha256)
            if self.runner is not None:
                self.runner.submit_sha256(sha256)

    def finish(self) -> bool:
        """Wait for the processing; True when it failed for some asset."""
        if self.runner is not None:
            try:
                return bool(self.runner.close().failed)
            finally:
                close = getattr(self.reporter, "close", None)
                if close:
                    close()
        if self.enabled and self.archive.settings.broker and self.sha256s:
            from mediaarchive.worker.dispatch import submit

            with self.archive.session() as session:
                ids = list(session.scalars(select(Asset.id).where(
                    Asset.sha256.in_(self.sha256s))))
            submitted = submit(self.archive, ids)
            click.echo(f"{len(submitted)} asset(s) queued for the workers at "
                       f"{self.archive.settings.broker}; see 'mediaarchive status'.", err=True)
        return False

    def states(self) -> dict[str, str]:
        """The assets' states now, by sha256."""
        with self.archive.session() as session:
            rows = session.execute(select(Asset.sha256, Asset.state).where(
                Asset.sha256.in_(self.sha256s))).all()
        return dict(rows)  # type: ignore[arg-type]


@main.command("run")
@click.argument("ids", nargs=-1)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Assets processed side by side (threads are shared out: "
                   "jobs x threads <= cores). [default: setting 'jobs']")
@click.option("--json", "as_json", is_flag=True, help="Print the assets' states as JSON.")
@pass_archive
def run_command(archive: Archive, ids: tuple[str, ...], jobs: int | None,
                as_json: bool) -> None:
    """Process whatever is queued or was interrupted (optionally only assets IDS)."""
    _process(archive, _asset_ids(archive, ids), jobs, as_json)


@main.command("retry")
@click.argument("ids", nargs=-1)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Assets processed side by side.")
@click.option("--json", "as_json", is_flag=True, help="Print the assets' states as JSON.")
@pass_archive
def retry_command(archive: Archive, ids: tuple[str, ...], jobs: int | None,
                  as_json: bool) -> None:
    """Run the failed steps again (of assets IDS, or of every asset)."""
    asset_ids = _asset_ids(archive, ids)
    requeued = retry(archive, asset_ids)
    if not requeued:
        click.echo("No failed steps to retry.", err=True)
    _process(archive, asset_ids if asset_ids is not None else requeued, jobs, as_json)


@main.command("pipelines")
@click.option("--check", "check", type=click.Path(dir_okay=False), default=None,
              help="Validate a pipeline file and show its steps.")
@click.option("--json", "as_json", is_flag=True, help="Print the pipelines as JSON.")
@pass_archive
def pipelines_command(archive: Archive, check: str | None, as_json: bool) -> None:
    """List the pipelines (built-in and the home's pipelines/*.yaml) and their steps."""
    from pathlib import Path

    pipelines = [load_pipeline(Path(check))] if check else list_pipelines(archive.settings.home)
    document = [
        {
            "name": p.name,
            "path": str(p.path),
            "description": p.description,
            "kinds": list(p.kinds),
            "steps": [{"name": s.name, "params": s.effective_params()} for s in p.steps],
        }
        for p in pipelines
    ]
    if as_json:
        emit_json(document)
        return
    for item in document:
        kinds = ", ".join(item["kinds"]) or "-"
        click.echo(f"{item['name']}  (default for: {kinds})  {item['path']}")
        for step in item["steps"]:
            params = ", ".join(f"{k}={v}" for k, v in step["params"].items())
            click.echo(f"  - {step['name']}" + (f": {params}" if params else ""))
