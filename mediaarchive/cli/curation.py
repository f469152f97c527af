"""Commands: edit (an asset's metadata and events), history (every change of an asset)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, pass_archive

if TYPE_CHECKING:
    from mediaarchive.services import Archive


@main.command()
@click.argument("asset_id", metavar="ID")
@click.option("--title", help="The asset's title.")
@click.option("--description", help="Its description (empty clears it).")
@click.option(
    "--speaker",
    "speakers",
    multiple=True,
    help="A speaker (repeat for several; replaces the list; --speaker '' clears it).",
)
@click.option("--date", help="Its date, YYYY-MM-DD (empty clears it).")
@click.option("--language", help="Its spoken language (de, en…; empty clears it).")
@click.option(
    "--visibility",
    type=click.Choice(["public", "internal"]),
    help="Who may see it: public (anyone) or internal (accounts only).",
)
@click.option("--add-event", "add_events", multiple=True, help="Add it to this event (repeat).")
@click.option(
    "--remove-event", "remove_events", multiple=True, help="Take it out of this event (repeat)."
)
@click.option("--create-event", is_flag=True, help="Create an --add-event that does not exist.")
@click.option("--note", help="Why the change was made (kept in the history).")
@click.option("--by", help="Who makes the change (default: your user name).")
@click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")
@pass_archive
def edit(
    archive: Archive,
    asset_id: str,
    title: str | None,
    description: str | None,
    speakers: tuple[str, ...],
    date: str | None,
    language: str | None,
    visibility: str | None,
    add_events: tuple[str, ...],
    remove_events: tuple[str, ...],
    create_event: bool,
    note: str | None,
    by: str | None,
    as_json: bool,
) -> None:
    """Change the metadata of asset ID; each change is recorded and searchable at once.

    Example: mediaarchive edit 1a2b3c4d --title "Keynote" --speaker "Dr. Anna Beispiel"
    """
    changes: dict[str, Any] = {
        key: value
        for key, value in (
            ("title", title),
            ("description", description),
            ("date", date),
            ("language", language),
            ("visibility", visibility),
        )
        if value is not None
    }
    if speakers:
        changes["speakers"] = list(speakers)
    if not changes and not add_events and not remove_events:
        raise click.UsageError("nothing to change: give --title, --speaker, --add-event…")
    result = services.editing.edit_asset(
        archive,
        asset_id,
        changes,
        add_events=add_events,
        remove_events=remove_events,
        create_event=create_event,
        by=by,
        note=note,
    )
    if as_json:
        emit_json(result.to_json())
        return
    for change in result.changes:
        click.echo(f"{change.field}: {_shown(change.old)} -> {_shown(change.new)}")
    click.echo(
        f"{result.id}: {len(result.changes)} change(s)" if result.changes else "Nothing changed",
        err=True,
    )


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return json.dumps(value, ensure_ascii=False)


@main.command()
@click.argument("asset_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list.")
@pass_archive
def history(archive: Archive, asset_id: str, as_json: bool) -> None:
    """Every change of asset ID and of its events: when, who, what, old -> new.

    Example: mediaarchive history 1a2b3c4d --json
    """
    entries = services.history.asset_history(archive, asset_id)
    if as_json:
        emit_json([entry.to_json() for entry in entries])
        return
    for entry in entries:
        what = f"{entry.field}: {_shown(entry.old)} -> {_shown(entry.new)}" if entry.field else ""
        note = f"  ({entry.note})" if entry.note else ""
        click.echo(f"{entry.time:%Y-%m-%d %H:%M:%S}  {entry.by}  {entry.action}  {what}{note}")
    if not entries:
        click.echo("No changes recorded", err=True)
