"""Command: transcribe."""

from __future__ import annotations

from pathlib import Path

import click

from mediaarchive.archive import Archive, find_asset
from mediaarchive.cli.base import emit_json, main, pass_archive
from mediaarchive.pipeline.progress import make_reporter
from mediaarchive.steps.transcribe import transcribe_asset


@main.command("transcribe")
@click.argument("asset_id")
@click.option("--model", default=None,
              help="base (bundled), a faster-whisper name (small, large-v3-turbo…) or a "
                   "CTranslate2 model folder. [default: setting 'model']")
@click.option("--language", default=None,
              help="Spoken language: de, another code, or auto to detect it. "
                   "[default: the asset's language, else setting 'language']")
@click.option("--glossary", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="File of names and jargon (one per line) to prompt with.")
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON.")
@pass_archive
def transcribe_command(archive: Archive, asset_id: str, model: str | None,
                       language: str | None, glossary: Path | None, as_json: bool) -> None:
    """(Re)transcribe asset ASSET_ID; the new transcript becomes current, old ones are kept."""
    with archive.session() as session:
        asset = find_asset(session, asset_id)
    reporter = make_reporter()
    reporter.step_started(0, asset.short_id, "transcribe")
    try:
        summary = transcribe_asset(
            archive, asset, model=model, language=language, glossary=glossary,
            progress=lambda done, total, unit: reporter.step_progress(0, done, total, unit))
    except Exception as exc:
        reporter.step_finished(0, asset.short_id, "transcribe", "failed", None, str(exc))
        raise
    finally:
        close = getattr(reporter, "close", None)
        if close:
            close()
    if as_json:
        emit_json(summary)
    else:
        click.echo(f"{summary['id']}: {summary['segments']} segments, language "
                   f"{summary['language']}, {summary['duration']:.1f} s of audio in "
                   f"{summary['seconds']:.1f} s (real-time factor {summary['rtf']})")
