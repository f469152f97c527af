"""Commands: subtitles, import-subtitles, export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mediaarchive.archive import Archive, find_asset
from mediaarchive.cli.base import emit_json, main, pass_archive
from mediaarchive.errors import UserError
from mediaarchive.services.export import export_event
from mediaarchive.subtitles import (
    FORMATS,
    PRESETS,
    check_subtitles,
    get_preset,
    import_subtitles,
    render_subtitles,
)


@main.command()
@click.argument("asset_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="vtt and srt: subtitles; txt: a readable transcript with time marks; "
              "json: segments and words. Default: the -o file's extension, else vtt.")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default=None,
              help="Cue limits (default: the subtitle_preset setting, else 'default'): "
              + "; ".join(f"{p.name}: {p.description}" for p in PRESETS.values()))
@click.option("--check", is_flag=True,
              help="Report every cue that breaks the preset, and why, instead of printing "
              "the subtitles (with -o the file is still written); exit 1 if any does.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (UTF-8) instead of stdout.")
@click.option("--json", "as_json", is_flag=True,
              help="With --check: the report as JSON (preset, problems with their reasons).")
@pass_archive
def subtitles(archive: Archive, asset_id: str, fmt: str | None, preset: str | None, check: bool,
              output: Path | None, as_json: bool) -> None:
    """Subtitles (or the transcript) of asset ID, built from its current transcript."""
    chosen = get_preset(preset or archive.settings.subtitle_preset)
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        fmt = suffix if suffix in FORMATS else "vtt"
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        text = render_subtitles(session, asset, fmt, chosen)
        problems = check_subtitles(session, asset, chosen) if check else []
        short_id = asset.short_id
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc}") from exc
        click.echo(f"Wrote {output} ({fmt}, preset {chosen.name})", err=True)
    elif not check:
        click.echo(text, nl=False)
    if check and as_json:
        emit_json({"asset_id": short_id, "preset": chosen.to_json(),
                   "problems": [problem.to_json() for problem in problems]})
    elif check:
        for problem in problems:
            click.echo(problem.describe())
    if check:
        click.echo(
            f"{len(problems)} cue(s) break the preset {chosen.name}" if problems
            else f"All cues keep to the preset {chosen.name}",
            err=True,
        )
        if problems:
            sys.exit(1)


@main.command("import-subtitles")
@click.argument("asset_id", metavar="ID")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--language", help="Language of the subtitles (default: the asset's).")
@click.option("--json", "as_json", is_flag=True, help="Print the new transcript as JSON.")
@pass_archive
def import_subtitles_command(archive: Archive, asset_id: str, file: Path,
                             language: str | None, as_json: bool) -> None:
    """Make an existing SRT/VTT file the current transcript of asset ID (older ones stay)."""
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        transcript = import_subtitles(session, asset, file, store=archive.store,
                                      language=language)
        summary = {
            "id": transcript.id,
            "asset_id": asset.short_id,
            "model": transcript.model,
            "language": transcript.language,
            "segments": len(transcript.segments),
            "current": transcript.current,
        }
    if as_json:
        emit_json(summary)
    else:
        click.echo(f"Imported {summary['segments']} cues from {file.name} as the current "
                   f"transcript of {summary['asset_id']}", err=True)


@main.command()
@click.option("--event", required=True, help="Name of the event to export.")
@click.option("--to", "destination", required=True, metavar="DIR|s3://BUCKET/PREFIX",
              help="A new folder, or an S3 prefix (endpoint from AWS_ENDPOINT_URL_S3).")
@click.option("--proxies", is_flag=True,
              help="Ship the web proxies instead of the originals (where an asset has one).")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default=None,
              help="Preset of the subtitle files (default: the subtitle_preset setting).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@pass_archive
def export(archive: Archive, event: str, destination: str, proxies: bool, preset: str | None,
           as_json: bool) -> None:
    """Export an event's assets as a BagIt bag: files, Dublin Core metadata, subtitles and
    transcripts with provenance, with checksum manifests."""
    result = export_event(archive, event, destination, proxies=proxies, preset=preset,
                          report=lambda message: click.echo(message, err=True))
    if as_json:
        emit_json(result.to_json())
    else:
        click.echo(f"Exported {result.assets} assets of {result.event!r} to "
                   f"{result.destination} ({result.files} files, {result.bytes} bytes)",
                   err=True)
