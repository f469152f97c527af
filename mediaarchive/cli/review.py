"""Command: review (what still needs checking; approve, start or reopen a review)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, pass_archive
from mediaarchive.vocabulary import REVIEW_STATES

if TYPE_CHECKING:
    from mediaarchive.services import Archive


@main.command()
@click.argument("asset_id", metavar="[ID]", required=False)
@click.option("--event", help="Only assets of this event (any case, part of the name).")
@click.option(
    "--state",
    type=click.Choice(REVIEW_STATES),
    help="Only transcripts in this state (default: those not approved yet).",
)
@click.option("--approve", "action", flag_value="approve", help="Approve ID's transcript.")
@click.option("--start", "action", flag_value="start", help="Mark ID's transcript in review.")
@click.option("--reopen", "action", flag_value="reopen", help="Reopen an approved transcript.")
@click.option("--by", help="Who reviews (default: your user name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_archive
def review(
    archive: Archive,
    asset_id: str | None,
    event: str | None,
    state: str | None,
    action: str | None,
    by: str | None,
    as_json: bool,
) -> None:
    """List the transcripts that still need checking (empty ones first, then the oldest),
    or with ID move its transcript through the review: --approve, --start, --reopen.

    Example: mediaarchive review --event "Labcamp 4" --json
    """
    if asset_id is not None:
        if action is None:
            raise click.UsageError("with an ID, give --approve, --start or --reopen")
        change = services.review.set_review(archive, asset_id, action, by=by)
        if as_json:
            emit_json(change.to_json())
        else:
            click.echo(f"{change.id}: review {change.old} -> {change.new}", err=True)
        return
    if action is not None:
        raise click.UsageError(f"--{action} needs the ID of an asset")
    items = services.review.review_list(archive, event=event, state=state)
    if as_json:
        emit_json([item.to_json() for item in items])
        return
    for item in items:
        low = "-" if item.low_confidence is None else f"{item.low_confidence:.0%}"
        flags = " EMPTY" if item.empty else ""
        guards = f" guards: {', '.join(item.guards)}" if item.guards else ""
        minutes = f"{(item.duration or 0) / 60:.0f} min"
        click.echo(
            f"{item.id}  {item.review:<9}  rev {item.revision}  {minutes:>7}  low {low:>4}"
            f"{flags}  {item.title}{guards}"
        )
    click.echo(f"{len(items)} transcript(s) to check", err=True)
