"""Command: verify."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, fail_if, main, pass_archive, report_error

if TYPE_CHECKING:
    from mediaarchive.services import Archive
    from mediaarchive.services.fixity import FixityResult


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list of the checks.")
@pass_archive
def verify(archive: Archive, as_json: bool) -> None:
    """Re-hash every stored blob; report missing or corrupt ones (exit 1) and record each
    check as a fixity event.

    Example: mediaarchive verify --json
    """

    def report(result: FixityResult) -> None:
        if result.outcome != "ok":
            report_error(result.message)

    results = services.fixity.verify_archive(archive, reporter=report)
    if as_json:
        emit_json([r.to_json() for r in results])
    bad = [r for r in results if r.outcome != "ok"]
    ok = len(results) - len(bad)
    missing = sum(1 for r in bad if r.outcome == "missing")
    click.echo(
        f"verified {len(results)} blob(s): {ok} ok, {missing} missing, "
        f"{len(bad) - missing} corrupt",
        err=True,
    )
    repair = services.fixity.repair_command(results)
    if repair:
        click.echo(f"To repair: {repair}", err=True)
    fail_if(bool(bad))
