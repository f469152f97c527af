"""The interface every search backend implements, and the choice of backend by dialect.

SQLite archives use ``SqliteSearchBackend`` (FTS5). A PostgreSQL backend registers itself
with ``register_backend("postgresql", ...)`` and is then picked for PostgreSQL archives;
both share the German analysis (``german``), the query parser (``query``), the documents
(``documents``), filters (``filters``) and snippets (``snippets``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mediaarchive.db import Asset
from mediaarchive.errors import ConfigError
from mediaarchive.search.filters import ResolvedFilters
from mediaarchive.search.german import fold_word, word_spans
from mediaarchive.search.query import Query

__all__ = [
    "BACKENDS",
    "RankedDocument",
    "SearchBackend",
    "backend_for",
    "register_backend",
    "scores_below",
]


@dataclass
class RankedDocument:
    """An indexed document that matched, with its score (higher is better)."""

    key: int
    asset_id: int
    source: str
    start: float | None
    end: float | None
    head: str
    text: str
    score: float


def scores_below(scores: dict[int, float], parts: dict[int, float]) -> dict[int, float]:
    """``parts`` scores (documents found only by a compound part) rescaled below every one
    of ``scores`` (found by the word or an inflection), keeping their order: exact >
    inflected > part, whatever the term statistics say."""
    if not scores or not parts:
        return parts
    floor = max(min(scores.values()), 1e-9) / 2
    top = max(max(parts.values()), 1e-9)
    return {key: floor * max(score, 0.0) / top for key, score in parts.items()}


class SearchBackend(ABC):
    """Index and search over one database session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @abstractmethod
    def index_asset(self, asset: Asset) -> int:
        """Replace the asset's documents in the index; returns how many were indexed."""

    @abstractmethod
    def index_segments(self, asset: Asset, segment_ids: Collection[int]) -> int:
        """Replace the documents of these speech segments of the asset (a segment that was
        deleted, or is not in the current transcript, loses its document); returns how many
        were indexed."""

    @abstractmethod
    def remove_asset(self, asset_id: int) -> None:
        """Drop the asset's documents from the index."""

    @abstractmethod
    def analyzer_current(self) -> bool:
        """True when the index was built by this ``german.ANALYZER_VERSION``."""

    @abstractmethod
    def rebuild(self, *, parallel: bool = True) -> int:
        """Rebuild the whole index from the tables; returns how many documents it holds.

        Args:
            parallel: a large rebuild may use a second process (a ``reindex`` of its own;
                not inside a pipeline step, whose threads are budgeted against the cores).
        """

    @abstractmethod
    def search(self, query: Query, filters: ResolvedFilters, *, limit: int) -> list[RankedDocument]:
        """The best ``limit`` documents for a non-empty query, best first."""

    @abstractmethod
    def example_text(self, word: str, *, public_only: bool = False) -> str | None:
        """The head and text of one document that holds this folded word as a word (of a
        public asset with ``public_only``), or None."""

    def spelling(self, word: str, *, public_only: bool = False) -> str | None:
        """How the archive writes a folded word (``muller`` → ``Müller``), or None."""
        found = self.example_text(word, public_only=public_only)
        for _, _, written in word_spans(found or ""):
            if fold_word(written) == word:
                return written
        return None


BACKENDS: dict[str, type[SearchBackend]] = {}


def register_backend(dialect: str, backend: type[SearchBackend]) -> None:
    """Make ``backend`` the search backend of databases of this SQLAlchemy dialect."""
    BACKENDS[dialect] = backend


def backend_for(session: Session) -> SearchBackend:
    """The search backend for the session's database."""
    dialect = session.get_bind().dialect.name
    try:
        backend = BACKENDS[dialect]
    except KeyError:
        raise ConfigError(
            f"search is not available for {dialect} databases yet: use SQLite or PostgreSQL"
        ) from None
    return backend(session)
