"""Commands: subtitles, import-subtitles, export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, pass_archive
from mediaarchive.errors import UserError
from mediaarchive.services.subtitles import FORMATS, PRESETS


@main.command()
@click.argument("asset_id", metavar="ID")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="vtt and srt: subtitles; txt: a readable transcript with time marks; "
    "json: segments and words. Default: the -o file's extension, else vtt.",
)
@click.option(
    "--preset",
    type=click.Choice(sorted(PRESETS)),
    default=None,
    help="Cue limits (default: the subtitle_preset setting, else 'default'): "
    + "; ".join(f"{p.name}: {p.description}" for p in PRESETS.values()),
)
@click.option(
    "--check",
    is_flag=True,
    help="Report every cue that breaks the preset, and why, instead of printing "
    "the subtitles (with -o the file is still written); exit 1 if any does.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (UTF-8) instead of stdout.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="With --check: the report as JSON (preset, problems with their reasons).",
)
@pass_archive
def subtitles(
    archive: services.Archive,
    asset_id: str,
    fmt: str | None,
    preset: str | None,
    check: bool,
    output: Path | None,
    as_json: bool,
) -> None:
    """Subtitles (or the transcript) of asset ID, built from its current transcript.

    Example: mediaarchive subtitles 1a2b3c4d --preset de-broadcast -o talk.de.vtt
    """
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        fmt = suffix if suffix in FORMATS else "vtt"
    rendered = services.subtitles.render(archive, asset_id, fmt, preset)
    chosen = rendered.preset
    report = services.subtitles.check(archive, asset_id, chosen) if check else None
    if output is not None:
        try:
            output.write_text(rendered.text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc}") from exc
        click.echo(f"Wrote {output} ({fmt}, preset {chosen.name})", err=True)
    elif report is None:
        click.echo(rendered.text, nl=False)
    if report is None:
        return
    if as_json:
        emit_json(report.to_json())
    else:
        for problem in report.problems:
            click.echo(problem.describe())
    click.echo(
        f"{len(report.problems)} cue(s) break the preset {chosen.name}"
        if report.problems
        else f"All cues keep to the preset {chosen.name}",
        err=True,
    )
    if report.problems:
        sys.exit(1)


@main.command("import-subtitles")
@click.argument("asset_id", metavar="ID")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--language", help="Language of the subtitles (default: the asset's).")
@click.option("--by", help="Who imports them (default: your user name).")
@click.option("--note", help="Why (kept with the revision and in the history).")
@click.option("--json", "as_json", is_flag=True, help="Print the new transcript as JSON.")
@pass_archive
def import_subtitles_command(
    archive: services.Archive,
    asset_id: str,
    file: Path,
    language: str | None,
    by: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Make an existing SRT/VTT file the current text of asset ID: a new revision of its
    transcript (recognised words keep their times where the text matches), or its first
    transcript. Older revisions stay.

    The search index and the asset's subtitle files follow the imported text.

    Example: mediaarchive import-subtitles 1a2b3c4d talk.de.srt
    """
    imported = services.transcripts.import_subtitles(
        archive, asset_id, file, language=language, by=by, note=note
    )
    if as_json:
        emit_json(imported.to_json())
    else:
        click.echo(
            f"Imported {imported.segments} cues from {file.name} as revision "
            f"{imported.revision} of the transcript of {imported.asset_id} "
            f"({imported.kept_words} word(s) kept their times, "
            f"{imported.placed_words} placed)",
            err=True,
        )


@main.command()
@click.option("--event", required=True, help="Name of the event to export.")
@click.option(
    "--to",
    "destination",
    required=True,
    metavar="DIR|s3://BUCKET/PREFIX",
    help="A new folder, or an S3 prefix (endpoint from AWS_ENDPOINT_URL_S3).",
)
@click.option(
    "--proxies",
    is_flag=True,
    help="Ship the web proxies instead of the originals (where an asset has one).",
)
@click.option(
    "--preset",
    type=click.Choice(sorted(PRESETS)),
    default=None,
    help="Preset of the subtitle files (default: the subtitle_preset setting).",
)
@click.option(
    "--skip-damaged",
    is_flag=True,
    help="Leave out assets whose bytes are damaged (and say so) instead of failing.",
)
@click.option(
    "--public-only", is_flag=True, help="Only the event's public assets (see edit --visibility)."
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@pass_archive
def export(
    archive: services.Archive,
    event: str,
    destination: str,
    proxies: bool,
    preset: str | None,
    skip_damaged: bool,
    public_only: bool,
    as_json: bool,
) -> None:
    """Export an event's assets as a BagIt bag: files, Dublin Core metadata, subtitles and
    transcripts with provenance, with checksum manifests.

    Example: mediaarchive export --event "Labcamp 4" --to ./labcamp-4-bag
    """
    result = services.export.export_event(
        archive,
        event,
        destination,
        proxies=proxies,
        preset=preset,
        report=lambda message: click.echo(message, err=True),
        skip_damaged=skip_damaged,
        public_only=public_only,
    )
    if as_json:
        emit_json(result.to_json())
    else:
        click.echo(
            f"Exported {result.assets} assets of {result.event!r} to "
            f"{result.destination} ({result.files} files, {result.bytes} bytes)",
            err=True,
        )
    if result.skipped:
        click.echo(
            f"Left out {len(result.skipped)} damaged asset(s): {' '.join(result.skipped)}; "
            f"repair them with: mediaarchive repair {' '.join(result.skipped)}",
            err=True,
        )
