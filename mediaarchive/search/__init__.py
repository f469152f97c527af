"""German-aware search over everything said and shown: speech, slides, images, metadata.

Public API (``mediaarchive.services.search`` and the steps call only these; each takes the
caller's database session, so the caller decides the transaction):

- ``search(session, query, ...) -> list[SearchHit]``: ranked hits, best first;
- ``index_asset(session, asset)``: the write path, re-indexes one asset (its metadata, the
  current transcript's segments and its OCR texts); called by the "index" step, when a
  transcript becomes current (``steps.sync``) and when OCR text changes;
- ``index_segments(session, asset, segment_ids)``: re-indexes only these speech segments
  (a one-line edit of the current transcript re-indexes one line, not the talk);
- ``reindex(session)``: rebuild the whole index;
- ``suggest(session, query)``: "did you mean" corrections from the archive's own words
  (``suggest``), kept up to date by the same write path.

The backend is chosen by the database's dialect (``backend``): FTS5 on SQLite here; a
PostgreSQL backend registers itself the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mediaarchive.db import Asset, Event
from mediaarchive.db.models import asset_events
from mediaarchive.db.plain import short_id
from mediaarchive.errors import UserError
from mediaarchive.search import postgres as _postgres  # noqa: F401  (registers the backend)
from mediaarchive.search import sqlite as _sqlite  # noqa: F401  (registers the backend)
from mediaarchive.search.backend import (
    RankedDocument,
    SearchBackend,
    backend_for,
    register_backend,
)
from mediaarchive.search.filters import resolve_filters
from mediaarchive.search.hits import SearchFilters, SearchHit, deep_link
from mediaarchive.search.query import Query, parse_query
from mediaarchive.search.snippets import Highlighter, make_snippet
from mediaarchive.search.suggest import suggest
from mediaarchive.vocabulary import AssetKind, HitSource

__all__ = [
    "Query",
    "SearchBackend",
    "SearchFilters",
    "SearchHit",
    "backend_for",
    "index_asset",
    "index_segments",
    "parse_query",
    "register_backend",
    "reindex",
    "remove_asset",
    "search",
    "suggest",
]

log = logging.getLogger(__name__)

MAX_LIMIT = 1000
#: With ``group=True``, documents fetched per wanted group (so groups have their matches).
GROUP_FETCH_FACTOR = 10


def index_asset(session: Session, asset: Asset) -> int:
    """Re-index one asset in the caller's transaction; returns the documents indexed.

    A withdrawn asset has no documents: it cannot be found until it is restored."""
    if asset.withdrawn_at is not None:
        backend_for(session).remove_asset(asset.id)
        return 0
    return backend_for(session).index_asset(asset)


def index_segments(session: Session, asset: Asset, segment_ids: Collection[int]) -> int:
    """Re-index these speech segments of one asset in the caller's transaction.

    Segments of the current transcript get fresh documents; any other id (a deleted
    segment, one of a transcript that is no longer current) loses its document. Returns
    the documents indexed.
    """
    if asset.withdrawn_at is not None:
        return 0
    return backend_for(session).index_segments(asset, segment_ids)


def remove_asset(session: Session, asset_id: int) -> None:
    """Drop an asset's documents from the index (before deleting the asset)."""
    backend_for(session).remove_asset(asset_id)


def reindex(session: Session) -> int:
    """Rebuild the whole index from the tables; returns the documents indexed (withdrawn
    assets are left out)."""
    backend = backend_for(session)
    indexed = backend.rebuild()
    for asset_id in session.scalars(select(Asset.id).where(Asset.withdrawn_at.is_not(None))):
        backend.remove_asset(asset_id)
    return indexed


def search(
    session: Session,
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
    public_only: bool = False,
) -> list[SearchHit]:
    """Ranked hits for ``query`` (any string: it never raises a syntax error), best first.

    Args:
        group: one hit per asset (its best), with all its hits in ``matches``.
        public_only: only assets marked public (anonymous visitors of the web page).

    Raises:
        UserError: a filter value is invalid (unknown kind or source, a malformed date).
    """
    if limit < 1:
        raise UserError(f"limit must be at least 1, not {limit}")
    limit = min(limit, MAX_LIMIT)
    filters = SearchFilters(
        event=event,
        speaker=speaker,
        kind=kind,
        source=source,
        since=None if since is None else str(since),
        until=None if until is None else str(until),
        language=language,
        public_only=public_only or None,
    )
    parsed = parse_query(query)
    resolved = resolve_filters(session, filters)
    if parsed.empty or resolved.nothing:
        return []
    fetch = min(limit * GROUP_FETCH_FACTOR, MAX_LIMIT) if group else limit
    backend = backend_for(session)
    if not backend.analyzer_current():
        # Built by an older analysis (an upgrade, a new dictionary): its tokens would not
        # match the query's. Rebuilt once, by the first search that finds it so.
        log.warning("search index built by another analyser version: rebuilding it")
        reindex(session)
    documents = backend.search(parsed, resolved, limit=fetch)
    assets = _hit_assets(session, {doc.asset_id for doc in documents})
    highlighter = Highlighter(parsed)
    hits = [
        _hit(doc, assets[doc.asset_id], highlighter) for doc in documents if doc.asset_id in assets
    ]
    return _grouped(hits)[:limit] if group else hits[:limit]


class _HitAsset(NamedTuple):
    """What a hit shows of its asset."""

    short_id: str
    event: str | None
    title: str | None
    kind: str
    speakers: list[str]


def _hit_assets(session: Session, asset_ids: Collection[int]) -> dict[int, _HitAsset]:
    """The hits' assets, in one query of the columns a hit shows (loading the ORM objects
    with their events took 3 ms of a 9 ms search); the event is the first one, by id, as
    ``Asset.event``."""
    if not asset_ids:
        return {}
    first = (
        select(asset_events.c.asset_id, func.min(asset_events.c.event_id).label("event_id"))
        .where(asset_events.c.asset_id.in_(asset_ids))
        .group_by(asset_events.c.asset_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Asset.id,
            Asset.sha256,
            Event.name,
            Asset.title,
            Asset.filename,
            Asset.kind,
            Asset.speakers,
        )
        .outerjoin(first, first.c.asset_id == Asset.id)
        .outerjoin(Event, Event.id == first.c.event_id)
        .where(Asset.id.in_(asset_ids))
    )
    return {
        asset_id: _HitAsset(
            short_id(sha256),
            event,
            title or filename,
            kind,
            [str(s) for s in speakers or []],
        )
        for asset_id, sha256, event, title, filename, kind, speakers in rows
    }


def _hit(doc: RankedDocument, asset: _HitAsset, highlighter: Highlighter) -> SearchHit:
    shown = "\n".join(part for part in (doc.head, doc.text) if part)
    return SearchHit(
        asset_id=asset.short_id,
        event=asset.event,
        title=asset.title,
        kind=AssetKind(asset.kind),
        speakers=list(asset.speakers),
        source=HitSource(doc.source),
        start=doc.start,
        end=doc.end,
        snippet=make_snippet(shown, highlighter),
        text=shown,
        link=deep_link(asset.short_id, doc.start),
        score=round(doc.score, 4),
    )


def _grouped(hits: list[SearchHit]) -> list[SearchHit]:
    groups: dict[str, SearchHit] = {}
    for hit in hits:
        match = {
            "source": hit.source,
            "start": hit.start,
            "end": hit.end,
            "snippet": hit.snippet,
            "link": hit.link,
            "score": hit.score,
        }
        best = groups.get(hit.asset_id)
        if best is None:
            hit.matches = [match]
            groups[hit.asset_id] = hit
        else:
            assert best.matches is not None
            best.matches.append(match)
    return list(groups.values())
