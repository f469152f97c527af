"""Commands: transcript edit|replace|history|diff|revert (corrections as revisions)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, pass_archive
from mediaarchive.errors import UserError

if TYPE_CHECKING:
    from mediaarchive.services import Archive
    from mediaarchive.services.revisions import RevisionSaved

_BY = click.option("--by", help="Who makes the correction (default: your user name).")
_NOTE = click.option("--note", help="Why (kept with the revision and in the history).")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


@main.group()
def transcript() -> None:
    """Correct the current transcript of an asset; every save is a new revision.

    Example: mediaarchive transcript edit 1a2b3c4d
    """


def _saved(result: RevisionSaved, as_json: bool) -> None:
    if as_json:
        emit_json(result.to_json())
    elif result.changed:
        click.echo(
            f"{result.id}: revision {result.revision} saved ({result.changed} segment(s); "
            f"review: {result.review})",
            err=True,
        )
    else:
        click.echo(f"{result.id}: nothing changed (still revision {result.revision})", err=True)


@transcript.command()
@click.argument("asset_id", metavar="ID")
@click.option(
    "--from",
    "source",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Save this edited form instead of opening $EDITOR ('-' reads stdin).",
)
@click.option("--print", "print_form", is_flag=True, help="Print the form and save nothing.")
@_BY
@_NOTE
@_JSON
@pass_archive
def edit(
    archive: Archive,
    asset_id: str,
    source: Path | None,
    print_form: bool,
    by: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Correct the transcript of asset ID in $EDITOR: one '[0:01:12.4] text' line a segment.

    Keep the time stamps; change the text (an empty text removes the segment). Words that
    stay keep their times; new words get times from their neighbours.

    Example: mediaarchive transcript edit 1a2b3c4d --from corrected.txt
    """
    if source is not None:
        try:
            text = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read the form {source}: {exc}") from exc
    else:
        form = services.revisions.edit_form(archive, asset_id)
        if print_form:
            click.echo(form, nl=False)
            return
        edited = click.edit(form, extension=".txt", require_save=True)
        if edited is None:
            click.echo("Nothing saved (the form was not changed).", err=True)
            return
        text = edited
    _saved(services.revisions.save_form(archive, asset_id, text, by=by, note=note), as_json)


@transcript.command()
@click.argument("old")
@click.argument("new")
@click.option("--asset", "asset_id", metavar="ID", help="Only in this asset's transcript.")
@click.option("--event", help="Only in this event's assets (exact name).")
@click.option("--regex", is_flag=True, help="OLD is a regular expression (NEW may use \\1).")
@click.option("--dry-run", is_flag=True, help="Show every change with its context; save none.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_BY
@_NOTE
@_JSON
@pass_archive
def replace(
    archive: Archive,
    old: str,
    new: str,
    asset_id: str | None,
    event: str | None,
    regex: bool,
    dry_run: bool,
    yes: bool,
    by: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Replace OLD (a whole word or words) by NEW in current transcripts: of one asset, an
    event, or the whole archive. Each changed asset gets a new revision.

    Example: mediaarchive transcript replace --event "Labcamp 4" "Hertie Schol" "Hertie School"
    """
    options = {"asset_id": asset_id, "event": event, "regex": regex, "by": by, "note": note}
    preview = services.replace.replace_text(archive, old, new, dry_run=True, **options)
    if not as_json or dry_run:
        for change in preview.changes:
            click.echo(f"{change.id} [{_stamp(change.start)}] {change.context}", err=as_json)
    summary = f"{len(preview.changes)} change(s) in {preview.assets} asset(s)"
    if dry_run or not preview.changes:
        if as_json:
            emit_json(preview.to_json())
        click.echo(summary + (" (dry run: nothing saved)" if dry_run else ""), err=True)
        return
    if not yes:
        if not sys.stdin.isatty():
            raise UserError(f"{summary}: add --yes to save them (or --dry-run to see them)")
        if not click.confirm(f"{summary}: save them?", err=True):
            click.echo("Nothing saved.", err=True)
            return
    result = services.replace.replace_text(archive, old, new, **options)
    if as_json:
        emit_json(result.to_json())
    click.echo(
        f"{len(result.changes)} change(s) saved as {len(result.revisions)} new revision(s)",
        err=True,
    )


def _stamp(seconds: float) -> str:
    return services.timed_text.format_stamp(seconds)


@transcript.command()
@click.argument("asset_id", metavar="ID")
@_JSON
@pass_archive
def history(archive: Archive, asset_id: str, as_json: bool) -> None:
    """The revisions of asset ID's transcript: number, parent, who, when, what.

    Example: mediaarchive transcript history 1a2b3c4d
    """
    revisions = services.revision_views.transcript_history(archive, asset_id)
    if as_json:
        emit_json([revision.to_json() for revision in revisions])
        return
    for r in revisions:
        mark = "*" if r.current else " "
        when = f"{r.time:%Y-%m-%d %H:%M}" if r.time else "-"
        note = f"  {r.note}" if r.note else ""
        click.echo(
            f"{mark}{r.number:>3}  {when}  {r.author or '-'}  {r.action}  "
            f"+{r.added}/-{r.removed}{note}"
        )


@transcript.command()
@click.argument("asset_id", metavar="ID")
@click.argument("old", type=int, metavar="REV1")
@click.argument("new", type=int, metavar="REV2")
@_JSON
@pass_archive
def diff(archive: Archive, asset_id: str, old: int, new: int, as_json: bool) -> None:
    """Word-level changes from revision REV1 to REV2: [-removed-] {+added+}.

    Example: mediaarchive transcript diff 1a2b3c4d 1 3
    """
    result = services.revision_views.transcript_diff(archive, asset_id, old, new)
    if as_json:
        emit_json(result.to_json())
        return
    for line in result.lines:
        click.echo(f"[{_stamp(line.start)}] {line.marked}")
    click.echo(f"{len(result.lines)} segment(s) differ", err=True)


@transcript.command()
@click.argument("asset_id", metavar="ID")
@click.argument("number", type=int, metavar="REV")
@_BY
@_NOTE
@_JSON
@pass_archive
def revert(
    archive: Archive, asset_id: str, number: int, by: str | None, note: str | None, as_json: bool
) -> None:
    """Make revision REV of asset ID's transcript current again, as a new revision.

    Example: mediaarchive transcript revert 1a2b3c4d 1
    """
    _saved(services.revisions.revert(archive, asset_id, number, by=by, note=note), as_json)
