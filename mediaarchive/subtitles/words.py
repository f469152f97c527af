"""Words with times, as cues are built from them: their spacing (from the segment's text, or
from the words themselves) and times spread over a segment that has no word timings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

__all__ = ["TimedWord", "needs_space", "spaced_words", "words_from_segment_text"]


@dataclass(frozen=True)
class TimedWord:
    """One word with its times, as the transcript has it (Whisper's leading space kept).

    A word that does not start with whitespace continues the previous one ("4," + "9"):
    the builder never cuts between them.
    """

    start: float
    end: float
    text: str
    #: Index of the segment the word belongs to.
    segment: int = 0
    #: Times were spread over the segment's text (a segment without word timings).
    estimated: bool = False
    #: Whether a space separates the word from the one before it, as its segment's text
    #: says (``spaced_words``); None: decided by the word itself (``needs_space``).
    space_before: bool | None = None


#: Characters that attach to the word before them ("Labcamp ," reads "Labcamp,").
_ATTACHES_LEFT = ",.;:!?)]}%…“»'’"
_DECIMAL_HEAD = re.compile(r"\d[,.]$")


def needs_space(previous: str, word: TimedWord) -> bool:
    """Whether ``word`` is set apart from ``previous`` by a space.

    The segment's text decides when it is known (``space_before``); otherwise the words
    themselves, whatever their source: punctuation that closes attaches to the word before,
    and so do the digits after a decimal comma ("4," + "9" reads "4,9"). A leading space
    (as Whisper writes words) is not needed, nor trusted on its own.
    """
    if word.space_before is not None:
        return word.space_before
    text = word.text.strip()
    if text[:1] in _ATTACHES_LEFT:
        return False
    return not (_DECIMAL_HEAD.search(previous) and text[:1].isdigit())


def spaced_words(words: Sequence[TimedWord], text: str) -> list[TimedWord]:
    """The words of one segment with ``space_before`` read off the segment's text.

    Words are found in the text in order; where one is not found (the text and the words
    disagree), it and the rest keep ``space_before`` unset and ``needs_space`` decides.
    """
    result: list[TimedWord] = []
    position = 0
    aligned = True
    for index, word in enumerate(words):
        piece = word.text.strip()
        found = text.find(piece, position) if aligned and piece else -1
        if found < 0:
            aligned = False
            result.append(word)
            continue
        gap = text[position:found]
        spaced = index == 0 or any(c.isspace() for c in gap)
        result.append(replace(word, space_before=spaced))
        position = found + len(piece)
    return result


def words_from_segment_text(
    start: float, end: float, text: str, segment: int = 0
) -> list[TimedWord]:
    """Words with times spread over a segment by their length (segments without words)."""
    pieces = text.split()
    if not pieces:
        return []
    weights = [len(piece) + 1 for piece in pieces]
    total = sum(weights)
    span = max(end - start, 0.0)
    words: list[TimedWord] = []
    position = start
    for piece, weight in zip(pieces, weights, strict=True):
        length = span * weight / total
        words.append(TimedWord(position, position + length, " " + piece, segment, True))
        position += length
    return words
