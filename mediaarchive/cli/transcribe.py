"""Command: transcribe."""

from __future__ import annotations

from pathlib import Path

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, pass_archive


@main.command("transcribe")
@click.argument("asset_id")
@click.option(
    "--model",
    default=None,
    help="base (bundled), a faster-whisper name (small, large-v3-turbo…) or a "
    "CTranslate2 model folder. [default: setting 'model']",
)
@click.option(
    "--language",
    default=None,
    help="Spoken language: de, another code, or auto to detect it (over several windows, "
    "German when unsure). [default: the asset's language, else setting 'language']",
)
@click.option(
    "--glossary",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="File of names and jargon (one per line) to prompt with.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON.")
@pass_archive
def transcribe_command(
    archive: services.Archive,
    asset_id: str,
    model: str | None,
    language: str | None,
    glossary: Path | None,
    as_json: bool,
) -> None:
    """(Re)transcribe asset ASSET_ID; the new transcript becomes current, old ones are kept.

    The search index and the asset's subtitle files follow the new transcript.

    Example: mediaarchive transcribe 1a2b3c4d --language auto
    """
    summary = services.transcripts.transcribe(
        archive,
        asset_id,
        model=model,
        language=language,
        glossary=glossary,
        reporter=services.progress.make_reporter(),
    )
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        emit_json(summary.to_json())
        return
    took = (
        f"{summary.duration or 0:.1f} s of audio in {summary.seconds:.1f} s "
        f"(real-time factor {summary.rtf})"
        if summary.seconds is not None
        else "no audio stream: nothing was said"
    )
    click.echo(
        f"{summary.id}: {summary.segments} segments, language {summary.language or 'none'}, {took}"
    )
