"""German text analysis shared by every search backend: fold, tokenise, stem, split.

Python's ``sqlite3`` cannot register FTS5 tokenizers, so text is analysed here on the way in
(index) and on the way out (queries, snippets), and the database only sees plain tokens.

- ``fold``: case-fold and write umlauts and ß one way: ``Universität``, ``Universitaet`` and
  ``Universitat`` all become ``universitat``; ``Straße`` and ``Strasse`` become ``strasse``.
- ``stem``: the Snowball German stemmer, by PyStemmer (``Prototypen`` → ``prototyp``, ``Laboren`` →
  ``labor``, ``Gespräche`` → ``gesprach``), memoised because talk vocabulary repeats.
- compounds: German compounds are split by the Hunspell de_DE dictionary (``compounds``):
  ``Anwohnerparkausweis`` → ``anwohner park ausweis``. Each part's stem is indexed as a
  token of its own (the ``parts`` column) beside the whole word, so the head, the middle
  and the tail of a compound are found (``Park``, ``Fest`` in ``Straßenfest``), and a word
  that merely ends in another (``Apparat``, ``Kollaboration``) is not.
- other languages: a text whose language is not German (``en`` …) is stemmed by that
  language's Snowball stemmer and not split (its German stems only go in as low-weight
  extra tokens, for a German text tagged with the wrong language); queries are stemmed in
  German and English (``QUERY_LANGUAGES``), so an English talk is found by its English
  inflections too.
"""

from __future__ import annotations

import operator
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from importlib.metadata import version

import Stemmer

from mediaarchive.search.compounds import dictionary_tag, split_compound

__all__ = [
    "ANALYZER_VERSION",
    "MIN_COMPOUND_PART",
    "QUERY_LANGUAGES",
    "STOPWORDS",
    "WORD_PATTERN",
    "Analysed",
    "analyse",
    "exact_and_stems",
    "fold",
    "language_token",
    "fold_word",
    "part_stems",
    "stem",
    "stem_in",
    "stemmer_name",
    "word_spans",
]

#: Bump when folding, stemming or splitting changes: the index must then be rebuilt. The
#: dictionary's hash is part of it (``nodict`` without one), so a new dictionary rebuilds too.
ANALYZER_VERSION = f"3/pystemmer-{version('PyStemmer')}/{dictionary_tag()}"
#: A query stem must be at least this long to match as a part of a compound ("Amt", "end").
MIN_COMPOUND_PART = 3
#: Languages a query is stemmed in (German, and English: the other language of the talks).
QUERY_LANGUAGES = ("de", "en")

#: Snowball stemmers by ISO 639-1 code (PyStemmer's names).
_SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "es": "spanish", "et": "estonian", "eu": "basque",
    "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi", "hu": "hungarian",
    "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian", "nb": "norwegian",
    "ne": "nepali", "nl": "dutch", "nn": "norwegian", "no": "norwegian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip

WORD_PATTERN = re.compile(r"[^\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# PyStemmer: the Snowball project's C stemmers (the pure-Python port was 60x slower, and a
# transcript vocabulary is large). Stemmer objects are not thread-safe: one per thread.
_local = threading.local()


@lru_cache(maxsize=1024)
def stemmer_name(language: str | None) -> str | None:
    """The Snowball stemmer for a language tag (``de-DE`` → german; None: German; an
    unknown language: None, its words are not stemmed)."""
    if not language:
        return "german"
    primary = language.replace("_", "-").split("-")[0].casefold()
    return _SNOWBALL.get(primary)


def language_token(language: str) -> str:
    """The primary language subtag, folded: ``de-DE`` → ``de`` (the language token both
    index backends store and filter by)."""
    words = WORD_PATTERN.findall(fold(language))
    return words[0] if words else ""


def _stemmer(name: str = "german") -> Stemmer.Stemmer:
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    stemmer = stemmers.get(name)
    if stemmer is None:
        stemmer = stemmers[name] = Stemmer.Stemmer(name)
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


@lru_cache(maxsize=200_000)
def stem_in(folded: str, name: str | None) -> str:
    """The stem of a folded word by the Snowball stemmer ``name`` (None: the word)."""
    if name == "german":
        return stem(folded)
    if name is None or folded.isdigit() or len(folded) <= 2:
        return folded
    return _stemmer(name).stemWord(folded)


@lru_cache(maxsize=500_000)
def part_stems(folded: str) -> tuple[str, ...]:
    """The stems of a folded German word's compound parts (``()``: not a compound).

    A word of three or more parts also gives its inner compounds (``strassen|bahn|halte|
    stelle`` → ``strassenbahn``, ``bahnhaltestelle``…), so a compound query finds the
    longer compound that contains it.
    """
    parts = split_compound(folded, fold_word)
    stems = [stem(part) for part in parts]
    for length in range(2, len(parts)):
        for start in range(len(parts) - length + 1):
            stems.append(stem("".join(parts[start : start + length])))
    return tuple(dict.fromkeys(stems))


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) of every word in the original text, for highlighting."""
    for match in WORD_PATTERN.finditer(text):
        yield match.start(), match.end(), match.group(0)


class Analysed:
    """One text's index columns: folded words, their stems, compound parts' stems."""

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
_parts = _WordCache(lambda word: " ".join(part_stems(word)))
_other_stems: dict[str | None, _WordCache] = {}

#: Most distinct chunks (runs of text between spaces: "Labor.", "Prototypen") memoised per
#: language; about 300 bytes each.
CHUNK_CACHE_SIZE = 500_000


def _stem_of(name: str | None) -> Callable[[str], str]:
    """The memoised stem function of stemmer ``name`` for folded words."""
    if name == "german":
        return _stems.__getitem__
    cache = _other_stems.get(name)
    if cache is None:
        cache = _other_stems[name] = _WordCache(lambda word: stem_in(word, name))
    return cache.__getitem__


def _analyse_words(words: list[str], name: str | None) -> tuple[str, str, str] | None:
    """(exact, stems, parts) of folded words in the language of stemmer ``name``."""
    if not words:
        return None
    if name != "german":
        stems = list(map(_stem_of(name), words))
        # German stems as low-weight extra tokens: a German talk tagged with the wrong
        # language (imported subtitles, a detector's slip) is still found, below the
        # texts that match in their own language.
        german = [
            g
            for w, s, g in zip(words, stems, map(_stems.__getitem__, words), strict=True)
            if g not in (w, s)
        ]
        return " ".join(words), " ".join(stems), " ".join(german)
    return (
        " ".join(words),
        " ".join(map(_stems.__getitem__, words)),
        " ".join(filter(None, map(_parts.__getitem__, words))),
    )


class _ChunkCache(dict[str, tuple[str, str, str] | None]):
    """A chunk of raw text → its analysis (None: it holds no word), computed on first use.

    Folding never joins or splits words across whitespace (whitespace folds to
    whitespace, and NFKD reorders marks only between two starters), so a text's analysis
    is its chunks' analyses joined: a transcript's chunks repeat, and each distinct one is
    folded, tokenised, stemmed and split once.
    """

    def __init__(self, name: str | None) -> None:
        super().__init__()
        self.name = name

    def __missing__(self, chunk: str) -> tuple[str, str, str] | None:
        value = _analyse_words(WORD_PATTERN.findall(_fold_text(chunk)), self.name)
        if len(self) < CHUNK_CACHE_SIZE:
            self[chunk] = value
        return value


_chunks: dict[str | None, _ChunkCache] = {}
_exact_of, _stems_of, _parts_of = (operator.itemgetter(i) for i in range(3))


def analyse(text: str | None, language: str | None = None) -> Analysed:
    """Index columns for a text: ``exact`` and ``stems`` align word by word (phrases).

    Args:
        language: the text's language tag; German (and None) texts are split into
            compound parts, others are stemmed in their language and not split.
    """
    if not text:
        return Analysed("", "", "")
    name = stemmer_name(language)
    cache = _chunks.get(name)
    if cache is None:
        cache = _chunks[name] = _ChunkCache(name)
    # All in C but the first sight of a chunk: a rebuild analyses 10⁶ segments.
    analysed = list(filter(None, map(cache.__getitem__, text.split())))
    if len(analysed) == 1:
        return Analysed(*analysed[0])
    return Analysed(
        " ".join(map(_exact_of, analysed)),
        " ".join(map(_stems_of, analysed)),
        " ".join(filter(None, map(_parts_of, analysed))),
    )


_ASCII_BREAKS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def exact_and_stems(text: str | None, language: str | None = None) -> tuple[list[str], list[str]]:
    """The words of ``analyse(text, language)``'s ``exact`` and ``stems``, without the
    compound parts (splitting is the costly part of ``analyse`` for words it has not
    seen): for reading the index's word and stem columns back (``fts5_score``). The text
    is folded as a whole, which gives its chunks' words (see ``_ChunkCache``)."""
    if not text:
        return [], []
    folded = _fold_text(text)
    # WORD_PATTERN, twice as fast for ASCII text (its words are its ASCII letters and digits)
    words = (
        folded.translate(_ASCII_BREAKS).split()
        if folded.isascii()
        else WORD_PATTERN.findall(folded)
    )
    return words, list(map(_stem_of(stemmer_name(language)), words))
