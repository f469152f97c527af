"""Snippets: the words that matched, marked with ``<mark>`` in the original text.

The index only holds analysed tokens, so highlighting re-reads the original text with the
same analysis: a word is marked when it matches a query term the way the index matched it
(same folded word, same stem, a prefix, or a compound with the term's stem as a part).
"""

from __future__ import annotations

import re
import unicodedata
from html import escape

from mediaarchive.search.german import (
    QUERY_LANGUAGES,
    fold_word,
    part_stems,
    stem_in,
    stemmer_name,
    word_spans,
)
from mediaarchive.search.query import Query

__all__ = ["Highlighter", "make_snippet"]

#: Words of context in a snippet (texts shorter than this are shown whole).
SNIPPET_WORDS = 32
#: Words shown before the first match.
LEAD_WORDS = 8
_WHITESPACE = re.compile(r"\s+")


class Highlighter:
    """Decides which words of a text match a query's (positive) terms."""

    def __init__(self, query: Query) -> None:
        self.words: set[str] = set()
        self.stems: set[str] = set()
        self.prefixes: list[str] = []
        self.compounds: set[str] = set()
        self.stemmers = [stemmer_name(language) for language in QUERY_LANGUAGES]
        for term in query.terms:
            if term.prefix:
                self.prefixes.append(term.words[0])
                continue
            self.words.update(term.words)
            for stems in term.stem_variants:
                self.stems.update(stems)
            if term.compound_stem:
                self.compounds.add(term.compound_stem)
        #: Answers so far, by word as written: the hits of one search repeat most words.
        self._seen: dict[str, bool] = {}

    def matches(self, word: str) -> bool:
        seen = self._seen.get(word)
        if seen is None:
            seen = self._seen[word] = self._matches(word)
        return seen

    def _matches(self, word: str) -> bool:
        folded = fold_word(word)
        if folded in self.words:
            return True
        if any(stem_in(folded, name) in self.stems for name in self.stemmers):
            return True
        if any(folded.startswith(p) for p in self.prefixes):
            return True
        # A part's stem is a prefix of the part, so of the word's letters: only a word that
        # contains one is split (most words are not, and splitting a new word costs).
        return any(c in folded for c in self.compounds) and not self.compounds.isdisjoint(
            part_stems(folded)
        )


def make_snippet(text: str, highlighter: Highlighter, *, words: int = SNIPPET_WORDS) -> str:
    """HTML: ``text`` (or a window of it around the first match) with matches in ``<mark>``."""
    # Composed form, so a decomposed "a + ̈" reads as one word, as it did when indexed.
    text = unicodedata.normalize("NFC", text)
    spans = list(word_spans(text))
    marked = [i for i, (_, _, word) in enumerate(spans) if highlighter.matches(word)]
    if len(spans) <= words:
        first, last = 0, len(spans)
    else:
        first = max(0, (marked[0] if marked else 0) - LEAD_WORDS)
        last = min(len(spans), first + words)
        first = max(0, last - words)
    begin = 0 if first == 0 else spans[first][0]
    finish = len(text) if last == len(spans) else spans[last - 1][1]
    # Runs of adjacent marked words, only blanks between them (a phrase): one mark each.
    runs: list[list[int]] = []  # [first char, end char, last word]
    for i in marked:
        if not first <= i < last:
            continue
        start, end, _ = spans[i]
        if runs and runs[-1][2] == i - 1 and text[runs[-1][1] : start].strip() == "":
            runs[-1][1:] = [end, i]
        else:
            runs.append([start, end, i])
    out: list[str] = ["…" if begin > 0 else ""]
    position = begin
    for start, end, _ in runs:  # the text between marks is escaped in one piece
        out += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    out.append(escape(text[position:finish]))
    if finish < len(text):
        out.append("…")
    # One line: newlines of OCR text and page descriptions would break a result list.
    return _WHITESPACE.sub(" ", "".join(out)).strip()
