"""Records that cross layers: a search hit, the filters of a search, an indexed document."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

# Imported at run time (not only for type checkers): the web's response schema is derived
# from ``SearchHit``'s annotations, and these make its ``kind`` and ``source`` enums.
from mediaarchive.vocabulary import AssetKind, HitSource

__all__ = ["IndexDocument", "SearchFilters", "SearchHit", "deep_link"]


def deep_link(asset_id: str, start: float | None) -> str:
    """The web path of a hit: ``/assets/ID#t=START`` (no ``#t`` without a time)."""
    if start is None:
        return f"/assets/{asset_id}"
    # Floor to a tenth: seeking a little early never cuts off the first word.
    return f"/assets/{asset_id}#t={math.floor(start * 10) / 10:.1f}"


# The one declaration of a hit: ``search --json`` and the web API's ``/api/search`` (whose
# schema is derived from these fields and this docstring) both show ``to_json()``.
@dataclass
class SearchHit:
    """One place where the query matched: a stretch of speech, a slide, an image, metadata."""

    asset_id: str
    event: str | None
    title: str | None
    kind: AssetKind
    speakers: list[str]
    source: HitSource
    start: float | None
    end: float | None
    snippet: str
    text: str
    link: str
    score: float
    #: With ``group=True``: every hit of this asset (this one first), as dicts.
    matches: list[dict[str, Any]] | None = None

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        if self.matches is None:
            document.pop("matches")
        return document


@dataclass(frozen=True)
class SearchFilters:
    """Optional filters; ``None`` means "any". Dates are ISO strings (YYYY, YYYY-MM, YYYY-MM-DD)."""

    event: str | None = None
    speaker: str | None = None
    kind: str | None = None
    source: str | None = None
    since: str | None = None
    until: str | None = None
    language: str | None = None
    #: Only assets marked public (None: any visibility).
    public_only: bool | None = None

    @property
    def any(self) -> bool:
        return any(value is not None for value in asdict(self).values())


@dataclass
class IndexDocument:
    """One row of the index: what is searched (``head`` weighs more) and what a hit shows."""

    #: Stable key, derived from the segment / OCR row / asset id (see ``documents``).
    key: int
    asset_id: int
    source: HitSource
    start: float | None
    end: float | None
    #: Title and speakers (metadata rows): matches here rank highest.
    head: str
    text: str
    #: Values filters select on.
    event_ids: list[int] = field(default_factory=list)
    kind: str = AssetKind.OTHER
    language: str | None = None
    #: The asset is public (its words may be suggested to anonymous visitors).
    public: bool = False
