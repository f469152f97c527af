"""German text analysis shared by every search backend: fold, tokenise, stem, split.

Python's ``sqlite3`` cannot register FTS5 tokenizers, so text is analysed here on the way in
(index) and on the way out (queries, snippets), and the database only sees plain tokens.

- ``fold``: case-fold and write umlauts and ß one way: ``Universität``, ``Universitaet`` and
  ``Universitat`` all become ``universitat``; ``Straße`` and ``Strasse`` become ``strasse``.
- ``stem``: the Snowball German stemmer, by PyStemmer (``Prototypen`` → ``prototyp``, ``Laboren`` →
  ``labor``, ``Gespräche`` → ``gesprach``), memoised because talk vocabulary repeats.
- compounds: German compounds put the head last (``Innovations|labor``) and the modifier
  first (``Verwaltungs|digitalisierung``). The index keeps each long stem reversed, so
  "ends with labor" is a prefix search on the reversed stem (``robal*``), and "starts with
  verwalt" is a prefix search on the stem itself. Both are cheap FTS5 prefix queries and
  need no dictionary, so indexing stays deterministic and fast.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib.metadata import version

import Stemmer

__all__ = [
    "ANALYZER_VERSION",
    "MIN_COMPOUND_PART",
    "MIN_PART_TOKEN",
    "STOPWORDS",
    "WORD_PATTERN",
    "Analysed",
    "analyse",
    "fold",
    "fold_word",
    "reverse_part",
    "stem",
    "word_spans",
]

#: Bump when folding, stemming or splitting changes: the index must then be rebuilt.
ANALYZER_VERSION = f"2/pystemmer-{version('PyStemmer')}"
#: Stems at least this long are kept reversed for "ends with" (compound head) matching.
MIN_PART_TOKEN = 7
#: A query stem must be at least this long to match as a part of a compound.
MIN_COMPOUND_PART = 4

WORD_PATTERN = re.compile(r"[^\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# PyStemmer: the Snowball project's C stemmers (the pure-Python port was 60x slower, and a
# transcript vocabulary is large). Stemmer objects are not thread-safe: one per thread.
_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("german")
    return stemmer


#: Frequent function words: matched as words and stems, never as compound parts.
STOPWORDS = frozenset(
    """aber alle allem allen aller alles als also am an ander andere anderen anderer anderes
    auch auf aus bei beim bin bis bist da damit dann das dass dazu dein deine dem den denen
    denn der des deshalb dich die dies diese diesem diesen dieser dieses dir doch dort du
    durch ein eine einem einen einer eines einfach einige er es etwas euch euer eure fur gab
    ganz gar gegen geht gibt gut habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen
    ihr ihre ihrem ihren ihrer im immer in ins ist ja jede jedem jeden jeder jetzt kann kein
    keine konnen konnte machen man manche mehr mein meine mich mir mit muss mussen nach
    naturlich nicht nichts noch nun nur ob oder ohne schon sehr sein seine seinem seinen
    sich sie sind so solche soll sollen sondern sowie uber um und uns unser unsere unter viel
    viele vom von vor wahrend war waren warum was weil welche wenn wer werde werden wie
    wieder will wir wird wo wollen worden wurde wurden zu zum zur zwar zwischen""".split()
)


def _fold_text(text: str) -> str:
    # NFKD splits ä into a + combining diaeresis (and é, ﬁ, ² alike); dropping the marks
    # leaves the base letters. casefold turns ß and ẞ into ss.
    text = unicodedata.normalize("NFKD", text.casefold())
    if not text.isascii():
        text = _COMBINING.sub("", text)
    # ae/oe/ue are umlauts written without dots. Folding them everywhere also touches a few
    # words that have no umlaut (Feuer → feur, Quelle → qulle); harmless, because index,
    # queries and highlighting all fold the same way.
    return text.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def fold(text: str) -> str:
    """Case-fold and spell umlauts, ß and accents one way (``Straße`` → ``strasse``)."""
    return _fold_text(text)


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """``fold`` for one word, memoised (snippets fold word by word)."""
    return _fold_text(word)


@lru_cache(maxsize=500_000)
def stem(folded: str) -> str:
    """The Snowball German stem of a folded word."""
    if folded.isdigit() or len(folded) <= 2:
        return folded
    return _stemmer().stemWord(folded)


def reverse_part(stemmed: str) -> str:
    """The reversed stem, as the index keeps it for compound-head matching."""
    return stemmed[::-1]


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) of every word in the original text, for highlighting."""
    for match in WORD_PATTERN.finditer(text):
        yield match.start(), match.end(), match.group(0)


class Analysed:
    """One text's index columns: folded words, their stems, reversed long stems."""

    __slots__ = ("exact", "stems", "parts")

    def __init__(self, exact: str, stems: str, parts: str) -> None:
        self.exact = exact
        self.stems = stems
        self.parts = parts


class _WordCache(dict[str, str]):
    """word → value, computed on first use; ``map(cache.__getitem__, words)`` runs in C."""

    def __init__(self, compute) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.compute = compute

    def __missing__(self, word: str) -> str:
        value = self.compute(word)
        if len(self) < 2_000_000:
            self[word] = value
        return value


_stems = _WordCache(stem)
_parts = _WordCache(
    lambda word: (lambda s: s[::-1] if len(s) >= MIN_PART_TOKEN else "")(stem(word))
)


def analyse(text: str | None) -> Analysed:
    """Index columns for a text: ``exact`` and ``stems`` align word by word (phrases)."""
    if not text:
        return Analysed("", "", "")
    words = WORD_PATTERN.findall(_fold_text(text))
    return Analysed(
        " ".join(words),
        " ".join(map(_stems.__getitem__, words)),
        " ".join(filter(None, map(_parts.__getitem__, words))),
    )
