"""Commands: status, show."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, one_line, pass_archive
from mediaarchive.vocabulary import ASSET_KINDS, ASSET_STATES, SOURCE_STATES

if TYPE_CHECKING:
    from mediaarchive.services import Archive


@main.command()
@click.option(
    "--event", help="Only assets of this event (any case or umlaut spelling, part of the name)."
)
@click.option("--kind", type=click.Choice(ASSET_KINDS), help="Only assets of this kind.")
@click.option("--state", type=click.Choice(ASSET_STATES), help="Only assets in this state.")
@click.option("--all", "show_all", is_flag=True, help="Withdrawn assets too.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list.")
@pass_archive
def status(
    archive: Archive,
    event: str | None,
    kind: str | None,
    state: str | None,
    show_all: bool,
    as_json: bool,
) -> None:
    """List assets: id, kind, title, event and state (one line each).

    Example: mediaarchive status --event labcamp --state failed
    """
    listing = services.status.list_status(
        archive, event=event, kind=kind, state=state, withdrawn=show_all
    )
    if listing.empty_reason:
        click.echo(listing.empty_reason, err=True)
    if as_json:
        emit_json(listing.assets)
        return
    lines = []
    for s in listing.assets:
        damaged = f"  DAMAGED: run 'mediaarchive repair {s['id']}'" if s["damaged"] else ""
        if s.get("withdrawn"):
            damaged += f"  WITHDRAWN {s['withdrawn'][:10]}"
        lines.append(
            one_line(
                f"{s['id']}  {s['kind']:<5}  {s['title'] or '-'}  [{s['event'] or '-'}]  "
                f"{s['state']}"
            )
            + damaged
        )
        if s["steps"]:
            lines.append("    " + " · ".join(_step_text(step) for step in s["steps"]))
    if lines:
        # One write for the whole listing: thousands of echo calls cost a tenth of a second.
        click.echo("\n".join(lines))
    if archive.settings.broker:
        for line in services.dispatch.overview_lines(archive):
            click.echo(line)
    if listing.failed_sources:
        click.echo(
            f"{listing.failed_sources} source(s) failed to fetch (no asset yet): "
            "'mediaarchive sources --state failed' lists them, "
            "'mediaarchive retry' fetches them again."
        )


@main.command("sources")
@click.option("--state", type=click.Choice(SOURCE_STATES), help="Only sources in this state.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list.")
@pass_archive
def sources_command(archive: Archive, state: str | None, as_json: bool) -> None:
    """List the links ingests fetched: state (pending, done, failed), attempts, error, asset.

    Example: mediaarchive sources --state failed
    """
    entries = services.sources.list_sources(archive, state=state)
    if as_json:
        emit_json([entry.to_json() for entry in entries])
        return
    if not entries:
        click.echo("No sources" + (f" in state {state}." if state else " recorded."), err=True)
    for entry in entries:
        line = f"{entry.state:<7} {entry.asset_id or '-':<8} {entry.source_url}"
        if entry.event:
            line += f"  [{entry.event}]"
        click.echo(one_line(line))
        if entry.error:
            click.echo(one_line(f"    {entry.error} (attempts: {entry.attempts})"))


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
        "damaged",
        "description",
        "source_urls",
    ):
        value = detail.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value not in (None, "", False):
            click.echo(one_line(f"{key:<12} {value}"))
    click.echo(
        one_line(f"{'original':<12} {detail['original']['path'] or detail['original']['uri']}")
    )
    for step in detail["steps"]:
        click.echo(
            one_line(
                f"{'step':<12} {step['name']}: {step['state']}"
                + (f" ({step['error']})" if step["error"] else "")
            )
        )
    for rendition in detail["renditions"]:
        click.echo(
            f"{'rendition':<12} {rendition['kind']} {rendition['label']} "
            f"{rendition['path'] or rendition['uri']}"
        )
