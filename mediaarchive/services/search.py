"""Searching the archive: what the ``search`` and ``reindex`` commands, the web page and its
API call. The ranking, German analysis and snippets live in ``mediaarchive.search``; this
module gives them a session of the archive.
"""

from __future__ import annotations

from typing import Any

from mediaarchive.archive import Archive, find_asset
from mediaarchive.search import SearchHit, index_asset
from mediaarchive.search import reindex as rebuild_index
from mediaarchive.search import search as search_index
from mediaarchive.services import audience

__all__ = ["SearchHit", "reindex", "search"]


def search(archive: Archive, query: str, **options: Any) -> list[SearchHit]:
    """Ranked hits for ``query`` (any string: it never raises a syntax error), best first.

    Args:
        options: the filters and limits of ``mediaarchive.search.search``: ``event`` and
            ``speaker`` (a name or part of it, any case or umlaut spelling), ``kind``,
            ``source``, ``since`` and ``until`` (YYYY[-MM[-DD]]), ``language``, ``limit``
            (20) and ``group`` (one hit per asset, with all its hits in ``matches``).

    Raises:
        UserError: a filter value is invalid (unknown kind or source, a malformed date).
    """
    if audience.current() == audience.PUBLIC:
        options["public_only"] = True
    with archive.session() as session:
        return search_index(session, query, **options)


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
