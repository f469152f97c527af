"""Commands: status, show."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, pass_archive
from mediaarchive.vocabulary import ASSET_KINDS, ASSET_STATES

if TYPE_CHECKING:
    from mediaarchive.services import Archive


@main.command()
@click.option(
    "--event", help="Only assets of this event (any case or umlaut spelling, part of the name)."
)
@click.option("--kind", type=click.Choice(ASSET_KINDS), help="Only assets of this kind.")
@click.option("--state", type=click.Choice(ASSET_STATES), help="Only assets in this state.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list.")
@pass_archive
def status(
    archive: Archive, event: str | None, kind: str | None, state: str | None, as_json: bool
) -> None:
    """List assets: id, kind, title, event and state (one line each).

    Example: mediaarchive status --event labcamp --state failed
    """
    listing = services.status.list_status(archive, event=event, kind=kind, state=state)
    if listing.empty_reason:
        click.echo(listing.empty_reason, err=True)
    if as_json:
        emit_json(listing.assets)
        return
    for s in listing.assets:
        click.echo(
            f"{s['id']}  {s['kind']:<5}  {s['title'] or '-'}  [{s['event'] or '-'}]  {s['state']}"
        )
        if s["steps"]:
            click.echo("    " + " · ".join(_step_text(step) for step in s["steps"]))
    if archive.settings.broker:
        for line in services.dispatch.overview_lines(archive):
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
    """Show everything known about one asset (ID: 6+ hex digits of its id).

    Example: mediaarchive show 8e33b6 --json
    """
    detail = services.status.show_asset(archive, asset_id)
    if as_json:
        emit_json(detail)
        return
    for key in (
        "id",
        "sha256",
        "kind",
        "mime",
        "size",
        "title",
        "event",
        "events",
        "speakers",
        "language",
        "date",
        "state",
        "description",
        "source_urls",
    ):
        value = detail.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value not in (None, ""):
            click.echo(f"{key:<12} {value}")
    click.echo(f"{'original':<12} {detail['original']['path'] or detail['original']['uri']}")
    for step in detail["steps"]:
        click.echo(
            f"{'step':<12} {step['name']}: {step['state']}"
            + (f" ({step['error']})" if step["error"] else "")
        )
    for rendition in detail["renditions"]:
        click.echo(
            f"{'rendition':<12} {rendition['kind']} {rendition['label']} "
            f"{rendition['path'] or rendition['uri']}"
        )
