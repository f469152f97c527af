"""Commands: status, show, events."""

from __future__ import annotations

import click

from mediaarchive.archive import Archive, find_asset
from mediaarchive.cli.base import emit_json, main, pass_archive
from mediaarchive.vocabulary import ASSET_KINDS, ASSET_STATES
from mediaarchive.services.views import asset_detail, asset_summary, event_summaries, list_assets


@main.command()
@click.option("--event", help="Only assets of this event.")
@click.option("--kind", type=click.Choice(ASSET_KINDS), help="Only assets of this kind.")
@click.option("--state", type=click.Choice(ASSET_STATES), help="Only assets in this state.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list.")
@pass_archive
def status(archive: Archive, event: str | None, kind: str | None, state: str | None,
           as_json: bool) -> None:
    """List assets: id, kind, title, event and state (one line each)."""
    with archive.session() as session:
        summaries = [asset_summary(a) for a in list_assets(session, event=event, kind=kind,
                                                           state=state)]
    if as_json:
        emit_json(summaries)
        return
    for s in summaries:
        click.echo(f"{s['id']}  {s['kind']:<5}  {s['title'] or '-'}  "
                   f"[{s['event'] or '-'}]  {s['state']}")
        if s["steps"]:
            click.echo("    " + " · ".join(_step_text(step) for step in s["steps"]))
    if not summaries:
        click.echo("No assets yet: add some with 'mediaarchive ingest SOURCE'.", err=True)
    if archive.settings.broker:
        from mediaarchive.worker.dispatch import overview_lines

        for line in overview_lines(archive):
            click.echo(line)


def _step_text(step: dict) -> str:  # type: ignore[type-arg]
    """``transcode done 12.3s`` / ``probe failed 0.2s: why`` for the status listing."""
    text = f"{step['name']} {step['state']}"
    if step["seconds"] is not None and step["state"] != "skipped":
        text += f" {step['seconds']:.1f}s"
    if step["state"] == "queued" and step["error"]:
        text += f" (retrying: {step['error']})"
    elif step["error"]:
        text += f": {step['error']}"
    return text


@main.command()
@click.argument("asset_id")
@click.option("--json", "as_json", is_flag=True, help="Print the full JSON record.")
@pass_archive
def show(archive: Archive, asset_id: str, as_json: bool) -> None:
    """Show everything known about one asset (ID: 6+ hex digits of its id)."""
    with archive.session() as session:
        detail = asset_detail(archive, find_asset(session, asset_id))
    if as_json:
        emit_json(detail)
        return
    for key in ("id", "sha256", "kind", "mime", "size", "title", "event", "events",
                "speakers", "language", "date", "state", "description", "source_urls"):
        value = detail.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value not in (None, ""):
            click.echo(f"{key:<12} {value}")
    click.echo(f"{'original':<12} {detail['original']['path'] or detail['original']['uri']}")
    for step in detail["steps"]:
        click.echo(f"{'step':<12} {step['name']}: {step['state']}"
                   + (f" ({step['error']})" if step["error"] else ""))
    for rendition in detail["renditions"]:
        click.echo(f"{'rendition':<12} {rendition['kind']} {rendition['label']} "
                   f"{rendition['path'] or rendition['uri']}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list.")
@pass_archive
def events(archive: Archive, as_json: bool) -> None:
    """List events with their date and number of assets."""
    with archive.session() as session:
        summaries = event_summaries(session)
    if as_json:
        emit_json(summaries)
        return
    for e in summaries:
        click.echo(f"{e['name']}  {e['date'] or '-'}  {e['assets']} asset(s)")
