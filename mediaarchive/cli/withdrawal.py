"""Commands: withdraw, restore (take an asset out of the archive's view, and bring it back)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, pass_archive
from mediaarchive.errors import UserError

if TYPE_CHECKING:
    from mediaarchive.services import Archive


def confirmed(question: str, yes: bool) -> bool:
    """``--yes``, or a yes on a terminal; without a terminal and ``--yes``: an error line."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UserError(f"{question} Add --yes to do it without asking (nothing was changed)")
    return click.confirm(question, err=True)


@main.command()
@click.argument("asset_id", metavar="ID")
@click.option("--reason", required=True, help="Why (kept in the history).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--by", help="Who withdraws it (default: your user name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_archive
def withdraw(
    archive: Archive, asset_id: str, reason: str, yes: bool, by: str | None, as_json: bool
) -> None:
    """Withdraw asset ID: hidden from search, the web page, the API, export and status;
    its bytes are kept and 'mediaarchive restore ID' brings it back.

    Example: mediaarchive withdraw 1a2b3c4d --reason "Einwilligung widerrufen"
    """
    label = services.status.show_asset(archive, asset_id)
    if not confirmed(f"Withdraw {label['id']} ({label['title'] or '-'})?", yes):
        click.echo("Nothing changed.", err=True)
        return
    done = services.withdrawal.withdraw(archive, asset_id, reason, by=by)
    if as_json:
        emit_json(done.to_json())
    click.echo(f"{done.id}: withdrawn ({done.reason})", err=True)


@main.command()
@click.argument("asset_id", metavar="ID")
@click.option("--by", help="Who restores it (default: your user name).")
@click.option("--note", help="Why (kept in the history).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_archive
def restore(
    archive: Archive, asset_id: str, by: str | None, note: str | None, as_json: bool
) -> None:
    """Bring a withdrawn asset back (visible and searchable again).

    Example: mediaarchive restore 1a2b3c4d
    """
    done = services.withdrawal.restore(archive, asset_id, by=by, note=note)
    if as_json:
        emit_json(done.to_json())
    click.echo(f"{done.id}: restored", err=True)


@main.command()
@click.argument("asset_id", metavar="ID")
@click.option(
    "--purge",
    is_flag=True,
    required=True,
    help="Remove the bytes and every derived file and text (required: there is no soft delete; "
    "use 'withdraw' to hide an asset reversibly).",
)
@click.option("--reason", required=True, help="Why (kept in the tombstone).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--by", help="Who deletes it (default: your user name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_archive
def delete(
    archive: Archive,
    asset_id: str,
    purge: bool,
    reason: str,
    yes: bool,
    by: str | None,
    as_json: bool,
) -> None:
    """Delete asset ID for good (GDPR erasure): original, renditions, transcripts, OCR text,
    index entries and store objects go; a tombstone (sha256, size, reason, who, when) stays.
    Lists the exports that held it, so copies outside the archive can be dealt with.

    Example: mediaarchive delete 1a2b3c4d --purge --reason "Einwilligung widerrufen"
    """
    if not purge:
        raise click.UsageError("give --purge: deleting removes the bytes for good")
    label = services.status.show_asset(archive, asset_id)
    question = (
        f"Delete {label['id']} ({label['title'] or '-'}) and its bytes for good? "
        "This cannot be undone."
    )
    if not confirmed(question, yes):
        click.echo("Nothing changed.", err=True)
        return
    done = services.deletion.purge(archive, asset_id, reason, by=by)
    if as_json:
        emit_json(done.to_json())
    click.echo(
        f"{done.id}: purged ({len(done.removed)} stored file(s) removed"
        + (f", {len(done.kept)} kept: another asset uses them" if done.kept else "")
        + "); a tombstone keeps its sha256, size and the reason",
        err=True,
    )
    for export in done.exports:
        click.echo(
            f"It is in the export {export['destination']} (event {export['event']!r}, "
            f"{export['time'][:10]}): delete it there too",
            err=True,
        )
