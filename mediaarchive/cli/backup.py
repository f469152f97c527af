"""Commands: backup, restore-backup."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, pass_archive

if TYPE_CHECKING:
    from mediaarchive.services import Archive


@main.command()
@click.option(
    "--to",
    "destination",
    required=True,
    metavar="DIR|s3://BUCKET/PREFIX",
    help="Where the backup lives (the same place each time: only new blobs are copied).",
)
@click.option(
    "--prune", is_flag=True, help="Remove blobs the archive no longer holds (purged assets')."
)
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@pass_archive
def backup(archive: Archive, destination: str, prune: bool, as_json: bool) -> None:
    """Back the archive up: a consistent snapshot of the database plus the blobs the
    destination lacks, with a manifest (sha256 of every file) and backup.json. Safe while
    'run' or 'serve' work.

    Example: mediaarchive backup --to /mnt/backup/mediaarchive
    """
    result = services.backup.backup(archive, destination, prune=prune)
    if as_json:
        emit_json(result.to_json())
    click.echo(
        f"Backed up to {result.destination}: {result.blobs} blob(s), {result.copied} copied "
        f"({result.copied_bytes} bytes), {len(result.purged)} purged since the snapshot, "
        f"{result.pruned} pruned, in {result.seconds} s",
        err=True,
    )


@main.command("restore-backup")
@click.argument("source", metavar="FROM")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@pass_archive
def restore_backup(archive: Archive, source: str, as_json: bool) -> None:
    """Rebuild an archive from a backup into --home (new or empty; --db and --store restore
    into PostgreSQL or an S3 store), verifying every blob.

    Example: mediaarchive --home ./restored restore-backup /mnt/backup/mediaarchive
    """
    result = services.backup.restore_backup(archive, source)
    if as_json:
        emit_json(result.to_json())
    click.echo(
        f"Restored {result.assets} asset(s) and {result.blobs} blob(s) from {result.source}; "
        f"{result.verified} blob(s) verified",
        err=True,
    )
