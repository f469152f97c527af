"""The query language, read forgivingly: any input is a query, nothing is a syntax error.

- words: ``Innovationslabor`` (all spellings, inflections and compounds, see ``german``);
- phrases in double quotes: ``"Lebenszyklen von Innovationslaboren"``;
- prefixes: ``innov*``;
- ``AND`` (also implied between terms), ``OR`` (binds tighter: ``a b OR c`` is a AND (b OR c)),
  ``-word`` / ``-"a phrase"`` / ``NOT word`` to exclude.

Everything else (an unbalanced quote, ``NEAR(``, a stray ``*``, brackets, SQL) is read as
plain words: only letters and digits of the input ever reach the database, each one inside
a quoted FTS5 string built by the backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mediaarchive.search.german import (
    MIN_COMPOUND_PART,
    QUERY_LANGUAGES,
    STOPWORDS,
    WORD_PATTERN,
    fold,
    stem,
    stem_in,
    stemmer_name,
)

__all__ = ["Query", "Term", "parse_query"]

#: Longest query we read; the rest is ignored (no user types more, and it bounds the work).
MAX_QUERY_CHARS = 1000
MAX_TERMS = 32


@dataclass(frozen=True)
class Term:
    """One query term: a word, a phrase (several words) or a prefix."""

    #: Folded words (``fold``); several for a phrase or a hyphenated word.
    words: tuple[str, ...]
    prefix: bool = False

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem(w) for w in self.words)

    @property
    def stem_variants(self) -> list[tuple[str, ...]]:
        """The stems in each of ``QUERY_LANGUAGES`` (German first), each variant once."""
        variants: list[tuple[str, ...]] = []
        for language in QUERY_LANGUAGES:
            name = stemmer_name(language)
            stems = tuple(stem_in(w, name) for w in self.words)
            if stems not in variants:
                variants.append(stems)
        return variants

    @property
    def common(self) -> bool:
        """True for a stop word or a phrase of stop words ("die", "die die"): matched, but
        with no say in the ranking (see ``Query.ranked``)."""
        return not self.prefix and all(word in STOPWORDS for word in self.words)

    @property
    def compound_stem(self) -> str | None:
        """The stem that may also match as a part of compounds (head, middle or tail)."""
        if self.phrase or self.prefix:
            return None
        word = self.words[0]
        stemmed = stem(word)
        if word in STOPWORDS or len(stemmed) < MIN_COMPOUND_PART or stemmed.isdigit():
            return None
        return stemmed


@dataclass
class Query:
    """AND of clauses, each an OR of terms; minus the excluded terms."""

    clauses: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing positive is asked for (then nothing is found)."""
        return not self.clauses

    @property
    def terms(self) -> list[Term]:
        return [term for clause in self.clauses for term in clause]

    def ranked(self) -> Query:
        """The query without its clauses of only stop words (``Term.common``), which
        rank nothing: a word in most documents has no weight in bm25 (FTS5 sets the IDF of
        a word in more than half of them to 1e-6), and the weight is what costs: bm25
        walks every row that holds each ranked word ("die": 78 % of a million segments).
        Empty when every clause is common. The excluded terms stay."""
        clauses = [clause for clause in self.clauses if not all(t.common for t in clause)]
        return Query(clauses, list(self.excluded))


def _term(text: str, *, prefix: bool = False) -> Term | None:
    words = tuple(WORD_PATTERN.findall(fold(text)))
    if not words:
        return None
    if prefix and len(words) > 1:
        # "E-Gov*": the last word is the prefix; keep it simple and match the words as a phrase.
        prefix = False
    return Term(words, prefix=prefix)


def _lex(query: str) -> list[tuple[str, str]]:
    """Split into (kind, text) tokens: kind is "phrase", "word" or "op"."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        negated = False
        if ch == "-" and i + 1 < n and not query[i + 1].isspace():
            negated = True
            i += 1
            ch = query[i]
        if ch == '"':
            close = query.find('"', i + 1)
            if close != -1:
                tokens.append(("-phrase" if negated else "phrase", query[i + 1 : close]))
                i = close + 1
                continue
            # An unbalanced quote: the rest is plain words.
            i += 1
            continue
        j = i
        while j < n and not query[j].isspace() and query[j] != '"':
            j += 1
        text = query[i:j]
        i = j
        if not negated and text in ("AND", "OR", "NOT"):
            tokens.append(("op", text))
        else:
            tokens.append(("-word" if negated else "word", text))
    return tokens


def parse_query(query: str) -> Query:
    """Read any string as a query; never raises."""
    parsed = Query()
    pending_or = False
    pending_not = False
    for kind, text in _lex(str(query)[:MAX_QUERY_CHARS]):
        if kind == "op":
            if text == "OR":
                pending_or = bool(parsed.clauses)
            elif text == "NOT":
                pending_not = True
            continue
        negated = kind.startswith("-") or pending_not
        pending_not = False
        if kind.endswith("phrase"):
            term = _term(text)
        else:
            stripped = text.rstrip("*")
            term = _term(stripped, prefix=stripped != text and len(stripped) > 0)
        if term is None:
            continue
        if len(parsed.terms) + len(parsed.excluded) >= MAX_TERMS:
            break
        if negated:
            parsed.excluded.append(term)
            pending_or = False
        elif pending_or:
            parsed.clauses[-1].append(term)
            pending_or = False
        else:
            parsed.clauses.append([term])
    return parsed
