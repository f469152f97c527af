"""Did you mean: the closest words of the archive's own vocabulary for a misspelled query.

The vocabulary is every word of the indexed documents (speech, OCR text, metadata), folded
as the index folds it, with how often it occurs in all of them and in public assets'
documents only (``search_vocabulary``: word, count, public_count). It is kept by the
index's write path: a backend counts the words it analysed for the documents it writes and
those it removes (``VocabularyChange``) and applies the difference once per write; a
rebuild of the index rebuilds it. Counting the words the index analysed anyway costs a
split and a count per document, not a second tokenisation. Withdrawn assets have no
documents, so their words are not in it; ``public_count`` lets anonymous visitors be
offered only words they can find. A suggestion is shown as the archive writes the word:
its spelling in a document that has it (``SearchBackend.spelling``), asked only for the
word suggested.

Finding the closest words is not a scan: candidates come from a trigram index over the
folded words, the ``search_trigrams`` table (one row per distinct trigram of a word, with
the word's length), then the few candidates are ranked by edit distance (a swap of two
letters counts as one edit) and how often they occur. A word of up to 5 letters may be one
edit away, a longer one two. An edit changes at most three of a word's trigrams (a swap
four), so a word within ``d`` edits shares at least (trigrams − 4·d) of the query word's
trigrams (the q-gram lemma): the query asks for that many, and for lengths within ``d``, so
every word close enough is a candidate and only words of that length are counted.

SQLite and PostgreSQL use the same tables and queries, so they suggest the same words.
PostgreSQL's ``pg_trgm`` was tried first: its planner scanned the whole vocabulary for long
words (``%`` with 16 trigrams looked too costly for the GIN index), 58–75 ms a suggestion
on the benchmark's vocabulary, against a few ms for the trigram table.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from mediaarchive.search.backend import backend_for
from mediaarchive.search.german import STOPWORDS, WORD_PATTERN, analyse, fold_word, stem

__all__ = [
    "MAX_WORD",
    "VocabularyChange",
    "clear_vocabulary",
    "edit_distance",
    "suggest",
    "trigrams",
]

#: Words shorter or longer are neither kept nor corrected (a 200-letter "word" is noise).
MIN_WORD = 3
MAX_WORD = 40
#: Query words looked at (the rest of a long query is left as it is).
MAX_QUERY_WORDS = 6
#: Candidates ranked by edit distance per query word.
CANDIDATES = 64
#: A correction must occur more than this many times as often as the word typed.
MORE_COMMON = 2
_CHUNK = 500

_UPSERT_SQLITE = (
    "INSERT INTO search_vocabulary (word, count, public_count) VALUES (?, ?, ?)"
    " ON CONFLICT (word) DO UPDATE SET count = search_vocabulary.count + excluded.count,"
    " public_count = search_vocabulary.public_count + excluded.public_count"
)
_ALL_TRIGRAMS = (
    f"WITH RECURSIVE at(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM at WHERE i <= {MAX_WORD})"
    " INSERT INTO search_trigrams (trigram, length, word)"
    " SELECT DISTINCT substr('  ' || word || ' ', i, 3), length(word), word"
    " FROM search_vocabulary JOIN at ON i <= length(word) + 1 ORDER BY 1, 2, 3"
)
_UPSERT = text(
    "INSERT INTO search_vocabulary (word, count, public_count) VALUES (:word, :count, :public)"
    " ON CONFLICT (word) DO UPDATE SET count = search_vocabulary.count + excluded.count,"
    " public_count = search_vocabulary.public_count + excluded.public_count"
)


def _worth_keeping(word: str) -> bool:
    return MIN_WORD <= len(word) <= MAX_WORD and word.isalpha()


def trigrams(word: str) -> set[str]:
    """The trigrams of a folded word, padded as ``pg_trgm`` pads it ("  w" … "d ")."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def max_distance(word: str) -> int:
    """Edits a correction of ``word`` may be away."""
    return 1 if len(word) <= 5 else 2


def edit_distance(a: str, b: str, bound: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from ``a`` to ``b``; any value
    above ``bound`` is returned as ``bound + 1``. Only the band of cells within ``bound``
    of the diagonal is computed: the rest cannot lead to a distance within it."""
    big = bound + 1
    n, m = len(a), len(b)
    if abs(n - m) > bound:
        return big
    before: list[int] = []
    previous = [j if j <= bound else big for j in range(m + 1)]
    for i in range(1, n + 1):
        current = [big] * (m + 1)
        current[0] = i if i <= bound else big
        letter = a[i - 1]
        lowest = current[0]
        for j in range(max(1, i - bound), min(m, i + bound) + 1):
            value = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (letter != b[j - 1]),
            )
            if before and j > 1 and letter == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = min(value, big)
            lowest = min(lowest, current[j])
        if lowest > bound:
            return big
        before, previous = previous, current
    return previous[m]


class VocabularyChange:
    """Word counts to add (documents written) and take away (documents removed)."""

    __slots__ = ("counts", "public", "public_only")

    def __init__(self, *, public_only: bool = False) -> None:
        """``public_only``: count only public documents (the caller has the other counts)."""
        self.counts: Counter[str] = Counter()
        self.public: Counter[str] = Counter()
        self.public_only = public_only

    def add(self, head_words: str, body_words: str, *, public: bool) -> None:
        """Count the folded words (``Analysed.exact``) of a document written to the index."""
        if self.public_only and not public:
            return
        for words in (head_words, body_words):
            if words:
                split = words.split()
                if not self.public_only:
                    self.counts.update(split)
                if public:
                    self.public.update(split)

    def remove(self, head_words: str, body_words: str, *, public: bool) -> None:
        """Count the folded words of a document that leaves the index."""
        for words in (head_words, body_words):
            if words:
                split = words.split()
                self.counts.subtract(split)
                if public:
                    self.public.subtract(split)

    def remove_text(self, head: str, body: str, *, public: bool) -> None:
        """``remove`` for a document known by its text."""
        self.remove(analyse(head).exact, analyse(body).exact, public=public)

    def apply(self, session: Session, *, fresh: bool = False) -> None:
        """Write the change to the vocabulary (and its SQLite trigram index).

        Args:
            fresh: the vocabulary is empty (a rebuild): every word is new.
        """
        rows = []
        # In one order: workers updating the same words on PostgreSQL lock the rows in the
        # same sequence, so they wait for each other instead of deadlocking.
        for word in sorted(self.counts.keys() | self.public.keys()):
            count, public = self.counts[word], self.public[word]
            if (count or public) and _worth_keeping(word):
                rows.append((word, count, public))
        self.counts.clear()
        self.public.clear()
        if not rows:
            return
        added = [w for w, c, _ in rows if c > 0]
        if added and not fresh:
            known = _known_words(session, added)
            added = [w for w in added if w not in known]
        if session.get_bind().dialect.name == "sqlite":
            # The driver's executemany: SQLAlchemy's costs more than the insert for 10⁵ rows.
            db = session.connection().connection.driver_connection
            assert db is not None
            db.executemany(_UPSERT_SQLITE, rows)
        else:
            session.execute(_UPSERT, [{"word": w, "count": c, "public": p} for w, c, p in rows])
        gone = _delete_unused(session, [w for w, c, p in rows if c < 0 or p < 0])
        if gone:
            session.execute(
                text(
                    "DELETE FROM search_trigrams"
                    " WHERE trigram = :trigram AND length = :length AND word = :word"
                ),
                _trigram_rows(gone),
            )
        if fresh:
            # Every word's trigrams, cut by the database itself (as ``trigrams`` cuts them).
            session.execute(text(_ALL_TRIGRAMS))
        elif added:
            session.execute(
                text(
                    "INSERT INTO search_trigrams (trigram, length, word)"
                    " VALUES (:trigram, :length, :word) ON CONFLICT DO NOTHING"
                ),
                _trigram_rows(added),
            )


def _trigram_rows(words: Iterable[str]) -> list[dict[str, object]]:
    # Sorted: rows go into the B-tree in its order, and workers lock them in one order.
    return [
        {"trigram": gram, "length": len(word), "word": word}
        for gram, word in sorted((gram, word) for word in words for gram in trigrams(word))
    ]


def _delete_unused(session: Session, shrunk: list[str]) -> set[str]:
    """Delete the words of ``shrunk`` that no document has any more; returns them."""
    gone: set[str] = set()
    for chunk in _chunks(shrunk):
        gone.update(
            session.scalars(
                text(
                    "DELETE FROM search_vocabulary WHERE count <= 0 AND word IN"
                    f" ({_placeholders(chunk)}) RETURNING word"
                ),
                _numbered(chunk),
            )
        )
    return gone


def clear_vocabulary(session: Session) -> None:
    """Empty the vocabulary (before a rebuild of the index counts it afresh)."""
    session.execute(text("DELETE FROM search_vocabulary"))
    session.execute(text("DELETE FROM search_trigrams"))


def _chunks(items: Iterable[str]) -> Iterable[list[str]]:
    items = list(items)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _placeholders(chunk: Sequence[str]) -> str:
    return ", ".join(f":w{i}" for i in range(len(chunk)))


def _numbered(chunk: Sequence[str]) -> dict[str, str]:
    return {f"w{i}": value for i, value in enumerate(chunk)}


def _known_words(session: Session, words: Iterable[str]) -> set[str]:
    known: set[str] = set()
    for chunk in _chunks(words):
        known.update(
            session.scalars(
                text(f"SELECT word FROM search_vocabulary WHERE word IN ({_placeholders(chunk)})"),
                _numbered(chunk),
            )
        )
    return known


# -- suggesting --------------------------------------------------------------------------------


def _candidates(session: Session, word: str, distance: int) -> list[str]:
    """Words of about the same length sharing enough trigrams with ``word``, most first."""
    grams = sorted(trigrams(word))
    needed = max(1, len(grams) - 4 * distance)
    params: dict[str, object] = _numbered(grams)
    params.update(low=len(word) - distance, high=len(word) + distance, needed=needed)
    params["limit"] = CANDIDATES
    return list(
        session.scalars(
            text(
                "SELECT word FROM search_trigrams"
                f" WHERE trigram IN ({_placeholders(grams)}) AND length BETWEEN :low AND :high"
                " GROUP BY word HAVING count(*) >= :needed"
                " ORDER BY count(*) DESC, word LIMIT :limit"
            ),
            params,
        )
    )


def _occurrences(session: Session, words: Iterable[str], *, public_only: bool) -> dict[str, int]:
    """How often each of these folded words occurs (for this audience); absent: never."""
    column = "public_count" if public_only else "count"
    found: dict[str, int] = {}
    for chunk in _chunks(set(words)):
        for word, count in session.execute(
            text(
                f"SELECT word, {column} FROM search_vocabulary"
                f" WHERE word IN ({_placeholders(chunk)}) AND {column} > 0"
            ),
            _numbered(chunk),
        ):
            found[word] = count
    return found


def _corrections(session: Session, word: str, *, public_only: bool, limit: int) -> list[str]:
    """Spellings of the closest, more common words for one folded query word."""
    distance = max_distance(word)
    found = _candidates(session, word, distance)
    occurrences = _occurrences(session, [word, *found], public_only=public_only)
    own = occurrences.get(word, 0)
    own_stem = stem(word)
    ranked = []
    for candidate in found:
        count = occurrences.get(candidate, 0)
        if candidate == word or count <= MORE_COMMON * own or stem(candidate) == own_stem:
            continue  # unknown here, or the word typed is as common, or the search finds it
        edits = edit_distance(word, candidate, distance)
        if edits <= distance:
            # Fewer edits first; among as many edits, the more common word.
            ranked.append((edits - math.log10(count) / 100, candidate))
    ranked.sort()
    backend = backend_for(session)
    return [
        backend.spelling(candidate, public_only=public_only) or candidate
        for _, candidate in ranked[:limit]
    ]


def suggest(
    session: Session, query: str, *, public_only: bool = False, limit: int = 3
) -> list[str]:
    """Queries the user may have meant, best first (empty when nothing is misspelled).

    Each misspelled word of ``query`` (a word the archive does not have, or has far less
    often than a word close to it) is replaced by the archive's spelling of the closest
    word; the rest of the query stays as typed. A one-word query gets up to ``limit``
    alternatives, a longer one the best correction of each word.

    Args:
        public_only: only words that occur in public assets (anonymous visitors).
    """
    query = str(query)[:1000]
    spans = list(WORD_PATTERN.finditer(query))
    looked_at = 0
    corrections: dict[str, list[str]] = {}
    for match in spans:
        word = fold_word(match.group(0))
        if word in corrections or word in STOPWORDS or not _worth_keeping(word):
            continue
        if looked_at == MAX_QUERY_WORDS:
            break
        looked_at += 1
        corrections[word] = _corrections(
            session, word, public_only=public_only, limit=limit if len(spans) == 1 else 1
        )
    if not any(corrections.values()):
        return []
    if len(spans) == 1:
        return corrections[fold_word(spans[0].group(0))]
    out, position = [], 0
    for match in spans:
        found = corrections.get(fold_word(match.group(0)))
        if found:
            out.append(query[position : match.start()])
            out.append(found[0])
            position = match.end()
    out.append(query[position:])
    return ["".join(out).strip()]
