"""Searching the archive: what the ``search`` and ``reindex`` commands, the web page and its
API call. The ranking, German analysis and snippets live in ``mediaarchive.search``; this
module gives them a session of the archive.
"""

from __future__ import annotations

from datetime import date

from mediaarchive.archive import Archive, find_asset
from mediaarchive.search import SearchHit, index_asset
from mediaarchive.search import reindex as rebuild_index
from mediaarchive.search import search as search_index

__all__ = ["SearchHit", "reindex", "search"]


def search(
    archive: Archive,
    query: str,
    *,
    event: str | None = None,
    speaker: str | None = None,
    kind: str | None = None,
    source: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    language: str | None = None,
    limit: int = 20,
    group: bool = False,
) -> list[SearchHit]:
    """Ranked hits for ``query`` (any string: it never raises a syntax error), best first.

    Args:
        event: an event's name or part of it (case and umlaut spelling do not matter).
        speaker: a speaker's name or part of it.
        kind: video, audio, image or other.
        source: speech, slide, image or metadata.
        since: assets dated on or after (YYYY, YYYY-MM or YYYY-MM-DD).
        until: assets dated on or before.
        language: only text in this language.
        limit: most hits (with ``group``: most assets).
        group: one hit per asset (its best), with all its hits in ``matches``.

    Raises:
        UserError: a filter value is invalid (unknown kind or source, a malformed date).
    """
    with archive.session() as session:
        return search_index(session, query, event=event, speaker=speaker, kind=kind,
                            source=source, since=since, until=until, language=language,
                            limit=limit, group=group)


def reindex(archive: Archive, asset_id: str | None = None) -> int:
    """Rebuild the search index from the archive's tables (or only one asset's documents,
    given its id); returns how many documents were indexed.

    Raises:
        NotFoundError, AmbiguousIdError, UserError: for an id that names no single asset.
    """
    with archive.session() as session:
        if asset_id is not None:
            return index_asset(session, find_asset(session, asset_id))
        return rebuild_index(session)
