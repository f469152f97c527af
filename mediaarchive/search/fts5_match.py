"""FTS5 MATCH expressions for a parsed query (the SQLite backend's query language).

Columns as in ``sqlite`` (t_* title and speakers, b_* the rest; exact, stem and part
tokens; facets). A term matches its folded words or its stems in each language's stemmer,
and when ``loose`` its compound stem among compound parts; clauses are ANDed, excluded
terms NOTed, filters become facet tokens.
"""

from __future__ import annotations

from collections.abc import Iterable

from mediaarchive.search.filters import ResolvedFilters
from mediaarchive.search.german import language_token
from mediaarchive.search.query import Query, Term

__all__ = ["head_expression", "match_expression", "quoted"]


def quoted(words: Iterable[str]) -> str:
    # Words are runs of letters and digits (WORD_PATTERN), so they never hold a quote.
    return '"' + " ".join(words) + '"'


def _term_expression(term: Term, *, loose: bool, head_only: bool = False) -> str:
    """The term's FTS5 expression; ``head_only``: in the title and speakers only, as words
    and inflections (no compound parts)."""
    exact, stem = (
        ("{t_exact}", "{t_stem}") if head_only else ("{t_exact b_exact}", "{t_stem b_stem}")
    )
    if term.prefix:
        return f"({exact} : {quoted(term.words)} *)"
    german, *others = term.stem_variants
    if german == term.words:
        # One phrase over both kinds of columns: FTS5 reads the word's doclist once (bm25
        # walks a phrase's whole doclist, which is what costs for common words).
        both = "{t_exact t_stem}" if head_only else "{t_exact b_exact t_stem b_stem}"
        alternatives = [f"{both} : {quoted(term.words)}"]
    else:
        alternatives = [
            f"{exact} : {quoted(term.words)}",
            f"{stem} : {quoted(german)}",
        ]
    # Texts in other languages keep their own stems (an English stem equal to the word is
    # found as the word itself).
    alternatives += [f"{stem} : {quoted(stems)}" for stems in others if stems != term.words]
    compound = term.compound_stem
    if loose and compound and not head_only:
        alternatives.append(f"{{t_part b_part}} : {quoted([compound])}")
    return "(" + " OR ".join(alternatives) + ")"


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
    for facet in facets:
        expression = f"({expression}) AND facets : ({facet})"
    return expression


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
