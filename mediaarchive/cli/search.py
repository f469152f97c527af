"""Commands: search, reindex."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import click

from mediaarchive.cli.base import emit_json, main, one_line, pass_archive
from mediaarchive.vocabulary import ASSET_KINDS, HIT_SOURCES

if TYPE_CHECKING:
    from mediaarchive.services import Archive
    from mediaarchive.services.search import SearchHit

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _terminal_snippet(snippet: str) -> str:
    """The HTML snippet for a terminal: matches bold, entities decoded."""
    parts = _MARK.split(snippet)
    return "".join(
        click.style(html.unescape(part), bold=True, fg="yellow") if i % 2 else html.unescape(part)
        for i, part in enumerate(parts)
    ).replace("\n", " ")


def _where(source: str, start: float | None, end: float | None) -> str:
    if start is None:
        return source
    return f"{source} {_clock(start)}–{_clock(end if end is not None else start)}"


def _print_hit(hit: SearchHit) -> None:
    title = one_line(hit.title or "(untitled)")
    event = f"{one_line(hit.event)} · " if hit.event else ""
    click.echo(
        f"{click.style(hit.asset_id, bold=True)}  {event}{title}  "
        f"[{_where(hit.source, hit.start, hit.end)}]"
    )
    for match in hit.matches or [hit.to_json()]:
        if hit.matches:
            click.echo(f"  {_where(match['source'], match['start'], match['end'])}")
        click.echo(f"    {_terminal_snippet(match['snippet'])}")
        click.echo(f"    {match['link']}")
    click.echo()


@main.command("search")
@click.argument("query")
@click.option("--event", help="Only assets of this event (name or part of it).")
@click.option("--speaker", help="Only assets with this speaker (name or part of it).")
@click.option("--kind", type=click.Choice(ASSET_KINDS), help="Only assets of this kind.")
@click.option(
    "--source",
    type=click.Choice(HIT_SOURCES),
    help="Only hits from speech, slides, images or metadata.",
)
@click.option("--since", metavar="DATE", help="Only assets dated on or after (YYYY[-MM[-DD]]).")
@click.option("--until", metavar="DATE", help="Only assets dated on or before (YYYY[-MM[-DD]]).")
@click.option("--language", help="Only text in this language (e.g. de).")
@click.option(
    "--limit",
    type=click.IntRange(min=1, max=1000),
    default=20,
    show_default=True,
    help="Most hits (with --group: most assets).",
)
@click.option("--group", is_flag=True, help="One entry per asset, with all its hits.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@pass_archive
def search_command(
    archive: Archive,
    query: str,
    event: str | None,
    speaker: str | None,
    kind: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    language: str | None,
    limit: int,
    group: bool,
    as_json: bool,
) -> None:
    """Search speech, slides, images and metadata for QUERY.

    German spellings, inflections and compounds match ("Labor" finds "Innovationslaboren").
    QUERY may use "exact phrases", prefix*, AND, OR and -excluded words. With few or no
    hits, a misspelled word gets a suggestion on stderr ("Did you mean: ...?").

    Example: mediaarchive search "Innovationslabor" --event "Labcamp 4"
    """
    from mediaarchive.services.search import find

    result = find(
        archive,
        query,
        event=event,
        speaker=speaker,
        kind=kind,
        source=source,
        since=since,
        until=until,
        language=language,
        limit=limit,
        group=group,
    )
    if as_json:
        emit_json([hit.to_json() for hit in result.hits])
    elif not result.hits:
        click.echo("No hits.", err=True)
    else:
        for hit in result.hits:
            _print_hit(hit)
    if result.suggestions:
        click.echo(f"Did you mean: {result.suggestions[0]}?", err=True)


@main.command("reindex")
@pass_archive
def reindex_command(archive: Archive) -> None:
    """Rebuild the search index from the archive's tables."""
    from mediaarchive.services.search import reindex

    count = reindex(archive)
    click.echo(f"Indexed {count} documents.", err=True)
