"""Commands: verify, repair."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, fail_if, main, pass_archive, report_error

if TYPE_CHECKING:
    from mediaarchive.services import Archive
    from mediaarchive.services.fixity import FixityResult
    from mediaarchive.services.repair import RepairResult


@main.command()
@click.option(
    "--backup",
    "backup_source",
    metavar="DIR|s3://BUCKET/PREFIX",
    help="Check a backup against its manifest instead (nothing is restored).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list of the checks.")
@pass_archive
def verify(archive: Archive, backup_source: str | None, as_json: bool) -> None:
    """Re-hash every stored blob; report missing or corrupt ones (exit 1) and record each
    check as a fixity event. The bundled speech model's files are re-hashed too (jobs check
    it once per process). With --backup, check every file of a backup instead.

    Example: mediaarchive verify --json
    """
    if backup_source is not None:
        problems = services.backup.verify_backup(backup_source)
        for problem in problems:
            report_error(f"{backup_source}: {problem}")
        if as_json:
            emit_json({"backup": backup_source, "problems": problems})
        click.echo(
            f"backup {backup_source}: "
            + (
                "every file matches its manifest" if not problems else f"{len(problems)} problem(s)"
            ),
            err=True,
        )
        fail_if(bool(problems))
        return

    def report(result: FixityResult) -> None:
        if result.outcome != "ok":
            report_error(result.message)

    results = services.fixity.verify_archive(archive, reporter=report)
    if as_json:
        emit_json([r.to_json() for r in results])
    model = services.fixity.verify_model(archive)
    if model.outcome == "corrupt":
        report_error(model.message)
    else:
        click.echo(model.message, err=True)
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
    fail_if(bool(bad) or model.outcome == "corrupt")


@main.command()
@click.argument("asset_ids", nargs=-1, metavar="[ID]...")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list of what was done.")
@pass_archive
def repair(archive: Archive, asset_ids: tuple[str, ...], as_json: bool) -> None:
    """Repair damaged assets: fetch a damaged or missing original again from its recorded
    sources (only bytes with its sha256 are taken), make damaged renditions again.

    Without IDs, every asset that 'verify' or a read found damaged; with IDs, those
    assets, checked afresh. Exit 1 when something could not be repaired.

    Example: mediaarchive repair 3f2a9c81d0e4
    """

    def report(result: RepairResult) -> None:
        line = f"{result.asset_id} {result.part}: {result.outcome} ({result.message})"
        if result.ok:
            click.echo(line, err=True)
        else:
            report_error(line)

    results = services.repair.repair(archive, list(asset_ids) or None, report=report)
    if as_json:
        emit_json([r.to_json() for r in results])
    if not results:
        click.echo("Nothing is marked damaged ('mediaarchive verify' checks every blob).", err=True)
    fail_if(any(not r.ok for r in results))
