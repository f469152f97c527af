"""FTS5 MATCH expressions for a parsed query (the SQLite backend's query language).

Columns as in ``sqlite`` (t_* title and speakers, b_* the rest; exact, stem and part
tokens; facets). A term matches its folded words or its stems in each language's stemmer,
and when ``loose`` its compound stem among compound parts; clauses are ANDed, excluded
terms NOTed, filters become facet tokens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mediaarchive.search.filters import ResolvedFilters
from mediaarchive.search.german import language_token
from mediaarchive.search.query import Query, Term

__all__ = ["COLUMNS", "Phrase", "disjunction", "head_expression", "match_expression", "quoted"]

#: The index's columns, in order (``search_fts``).
COLUMNS = ("t_exact", "t_stem", "t_part", "b_exact", "b_stem", "b_part", "facets")


def quoted(words: Iterable[str]) -> str:
    # Words are runs of letters and digits (WORD_PATTERN), so they never hold a quote.
    return '"' + " ".join(words) + '"'


@dataclass(frozen=True)
class Phrase:
    """A phrase of the index's tokens, in some of its columns."""

    columns: tuple[str, ...]
    words: tuple[str, ...]

    def __str__(self) -> str:
        return "{" + " ".join(self.columns) + "} : " + quoted(self.words)


def _alternatives(term: Term, *, loose: bool, head_only: bool = False) -> list[Phrase]:
    """The phrases any of which matches a (not prefix) term; ``head_only``: in the title
    and speakers only, as words and inflections (no compound parts)."""
    exact, stem = (
        (("t_exact",), ("t_stem",)) if head_only else (("t_exact", "b_exact"), ("t_stem", "b_stem"))
    )
    german, *others = term.stem_variants
    if german == term.words:
        # One phrase over both kinds of columns: FTS5 reads the word's doclist once (bm25
        # walks a phrase's whole doclist, which is what costs for common words).
        alternatives = [Phrase(exact + stem, term.words)]
    else:
        alternatives = [Phrase(exact, term.words), Phrase(stem, german)]
    # Texts in other languages keep their own stems (an English stem equal to the word is
    # found as the word itself).
    alternatives += [Phrase(stem, stems) for stems in others if stems != term.words]
    compound = term.compound_stem
    if loose and compound and not head_only:
        alternatives.append(Phrase(("t_part", "b_part"), (compound,)))
    return alternatives


def _term_expression(term: Term, *, loose: bool, head_only: bool = False) -> str:
    """The term's FTS5 expression (see ``_alternatives``)."""
    if term.prefix:
        exact = "{t_exact}" if head_only else "{t_exact b_exact}"
        return f"({exact} : {quoted(term.words)} *)"
    alternatives = _alternatives(term, loose=loose, head_only=head_only)
    return "(" + " OR ".join(map(str, alternatives)) + ")"


def disjunction(
    query: Query, filters: ResolvedFilters | None = None, *, loose: bool = True
) -> list[Phrase] | None:
    """The phrases of ``match_expression(query, filters, loose=loose)``, in its order, when
    that expression is nothing but their OR (one clause, nothing excluded, no filter, no
    prefix): then a row matches exactly when it holds one of them. None otherwise."""
    clauses = query.clauses
    if len(clauses) != 1 or query.excluded or _facets(filters) or any(t.prefix for t in clauses[0]):
        return None
    return [phrase for term in query.clauses[0] for phrase in _alternatives(term, loose=loose)]


def match_expression(
    query: Query, filters: ResolvedFilters | None = None, *, loose: bool = True
) -> str | None:
    """The FTS5 MATCH expression for a parsed query and filters (None: nothing to find).

    ``loose=False`` leaves out compound parts (words and inflections only).
    """
    if query.empty:
        return None
    expression = " AND ".join(
        "(" + " OR ".join(_term_expression(term, loose=loose) for term in clause) + ")"
        for clause in query.clauses
    )
    if query.excluded:
        excluded = " OR ".join(_term_expression(term, loose=True) for term in query.excluded)
        expression = f"({expression}) NOT ({excluded})"
    for facet in _facets(filters):
        expression = f"({expression}) AND facets : ({facet})"
    return expression


def _facets(filters: ResolvedFilters | None) -> list[str]:
    """The facet phrases (OR'ed alternatives) a match must also hold, one per filter."""
    facets: list[str] = []
    if filters is not None:
        if filters.event_ids is not None:
            facets.append(" OR ".join(f'"ev{event_id}"' for event_id in filters.event_ids))
        if filters.asset_ids is not None:
            facets.append(" OR ".join(f'"as{asset_id}"' for asset_id in filters.asset_ids))
        if filters.kind is not None:
            facets.append(quoted([f"kind{filters.kind}"]))
        if filters.language is not None:
            facets.append(quoted([f"lang{language_token(filters.language)}"]))
        if filters.source is not None:
            facets.append(quoted([f"src{filters.source}"]))
    return facets


def head_expression(query: Query) -> str | None:
    """The FTS5 expression of "the title and speakers hold every clause of the query"."""
    if query.empty:
        return None
    return " AND ".join(
        "("
        + " OR ".join(_term_expression(term, loose=False, head_only=True) for term in clause)
        + ")"
        for clause in query.clauses
    )
