"""Searching the archive: what the ``search`` and ``reindex`` commands, the web page and its
API call. The ranking, German analysis and snippets live in ``mediaarchive.search``; this
module gives them a session of the archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mediaarchive.archive import Archive, find_asset
from mediaarchive.search import SearchHit, index_asset
from mediaarchive.search import reindex as rebuild_index
from mediaarchive.search import search as search_index
from mediaarchive.search import suggest as suggest_words
from mediaarchive.services import audience

__all__ = ["FEW_HITS", "SearchHit", "SearchResult", "find", "reindex", "search", "suggest"]

#: With fewer hits than this, a search also says what the user may have meant.
FEW_HITS = 3
#: Suggestions tried (each one search, only after a search with few hits) for one that
#: finds more within the search's filters.
SUGGESTIONS_TRIED = 3


@dataclass
class SearchResult:
    """The hits of a search and, when there are few, the queries the user may have meant."""

    hits: list[SearchHit]
    suggestions: list[str] = field(default_factory=list)


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


def suggest(archive: Archive, query: str, *, limit: int = 3) -> list[str]:
    """Queries the user may have meant by ``query`` ("did you mean"), best first: its
    misspelled words replaced by the closest, more common words of the archive, spelled as
    the archive spells them. Empty when nothing looks misspelled.

    Anonymous visitors of the web page are offered only words of public assets; nobody is
    offered words of withdrawn assets.
    """
    with archive.session() as session:
        return suggest_words(
            session, query, public_only=audience.current() == audience.PUBLIC, limit=limit
        )


def find(archive: Archive, query: str, **options: Any) -> SearchResult:
    """``search``, and with fewer than ``FEW_HITS`` hits also what the user may have meant
    (the CLI and the web page show both): the first of the ``suggest`` queries that finds
    more than the query did *with the same filters*. The vocabulary is the whole archive's,
    so without that check a search in one event suggested a word said only in another,
    and the suggestion found nothing either."""
    hits = search(archive, query, **options)
    few = min(FEW_HITS, options.get("limit") or FEW_HITS)
    if len(hits) >= few:
        return SearchResult(hits)
    for meant in suggest(archive, query, limit=SUGGESTIONS_TRIED):
        if len(search(archive, meant, **{**options, "limit": len(hits) + 1})) > len(hits):
            return SearchResult(hits, [meant])
    return SearchResult(hits)


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
