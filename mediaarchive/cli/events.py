"""Commands: events (list), events rename, events merge, events edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, one_line, pass_archive

if TYPE_CHECKING:
    from mediaarchive.services import Archive
    from mediaarchive.services.editing import EventChange

_BY = click.option("--by", help="Who makes the change (default: your user name).")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list.")
@click.pass_context
def events(ctx: click.Context, as_json: bool) -> None:
    """List events with their date and number of assets; rename, merge or edit one.

    Example: mediaarchive events --json
    """
    if ctx.invoked_subcommand is not None:
        return
    summaries = services.status.list_events(ctx.obj)
    if as_json:
        emit_json(summaries)
        return
    for e in summaries:
        click.echo(one_line(f"{e['name']}  {e['date'] or '-'}  {e['assets']} asset(s)"))


def _report(change: EventChange, as_json: bool, what: str) -> None:
    if as_json:
        emit_json(change.to_json())
        return
    for item in change.changes:
        click.echo(f"{item.field}: {item.old!r} -> {item.new!r}")
    click.echo(f"{what}: {change.event!r} has {change.assets} asset(s)", err=True)


@events.command()
@click.argument("old")
@click.argument("new")
@_BY
@_JSON
@pass_archive
def rename(archive: Archive, old: str, new: str, by: str | None, as_json: bool) -> None:
    """Rename event OLD to NEW (exact names); its assets are re-indexed under the new name.

    Example: mediaarchive events rename "000_8e33b6325b9cc12a" "Labcamp 4"
    """
    _report(services.editing.rename_event(archive, old, new, by=by), as_json, "Renamed")


@events.command()
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="INTO")
@_BY
@_JSON
@pass_archive
def merge(archive: Archive, source: str, target: str, by: str | None, as_json: bool) -> None:
    """Move every asset and page link of event FROM into INTO; FROM is removed.

    Example: mediaarchive events merge "Labcamp4" "Labcamp 4"
    """
    change = services.editing.merge_events(archive, source, target, by=by)
    if not as_json:
        click.echo(f"Moved {change.moved} asset(s) from {source!r}", err=True)
    _report(change, as_json, "Merged")


@events.command("edit")
@click.argument("name")
@click.option("--name", "new_name", help="A new name.")
@click.option("--date", help="The event's date (YYYY-MM-DD); empty clears it.")
@click.option("--description", help="The event's description; empty clears it.")
@click.option(
    "--visibility",
    type=click.Choice(["public", "internal"]),
    help="Who may see the event: public (anyone) or internal (accounts only).",
)
@_BY
@_JSON
@pass_archive
def edit_event(
    archive: Archive,
    name: str,
    new_name: str | None,
    date: str | None,
    description: str | None,
    visibility: str | None,
    by: str | None,
    as_json: bool,
) -> None:
    """Change event NAME's name, date, description or visibility.

    Example: mediaarchive events edit "Labcamp 4" --date 2021-07-13
    """
    changes = {
        key: value
        for key, value in (
            ("name", new_name),
            ("date", date),
            ("description", description),
            ("visibility", visibility),
        )
        if value is not None
    }
    _report(services.editing.edit_event(archive, name, changes, by=by), as_json, "Edited")
