"""Records the recogniser yields: segments of speech with their words (times in seconds),
made from faster-whisper's and cut to sentence size."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class SpeechWord:
    """One recognised word; ``word`` keeps Whisper's leading space and punctuation."""

    start: float
    end: float
    word: str
    probability: float


@dataclass(frozen=True)
class SpeechSegment:
    """A stretch of recognised speech with the decoder's own quality signals."""

    start: float
    end: float
    text: str
    words: tuple[SpeechWord, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0

    @property
    def confidence(self) -> float:
        """Mean word probability (0–1), else the decoder's mean token probability."""
        if self.words:
            return sum(w.probability for w in self.words) / len(self.words)
        return math.exp(min(0.0, self.avg_logprob))

    def with_words(self, words: tuple[SpeechWord, ...]) -> SpeechSegment:
        """The segment cut down to ``words`` (text and times follow the words)."""
        if not words:
            return replace(self, words=(), text="")
        return replace(
            self,
            words=words,
            text="".join(w.word for w in words).strip(),
            start=words[0].start,
            end=words[-1].end,
        )


@dataclass
class TranscriptionResult:
    """What a finished run tells the caller besides the segments."""

    language: str
    language_probability: float
    duration: float
    segments: list[SpeechSegment] = field(default_factory=list)


def speech_pieces(raw: Any, base: float, limit: float) -> list[SpeechSegment]:
    """faster-whisper's segments as sentence-sized SpeechSegments with absolute times."""
    return [piece for item in raw for piece in split_segment(from_whisper(item, base, limit))]


def from_whisper(item: Any, base: float, limit: float) -> SpeechSegment:
    """One faster-whisper segment with times moved by ``base`` and cut at ``limit``."""
    words = tuple(
        SpeechWord(
            start=round(base + w.start, 3),
            end=round(min(base + w.end, limit), 3),
            word=w.word,
            probability=round(float(w.probability), 4),
        )
        for w in (item.words or [])
    )
    start = round(base + item.start, 3)
    end = round(min(base + item.end, limit), 3)
    if words:
        start, end = min(start, words[0].start), max(words[-1].end, start)
    return SpeechSegment(
        start=start,
        end=end,
        text=item.text.strip(),
        words=words,
        avg_logprob=float(item.avg_logprob),
        no_speech_prob=float(item.no_speech_prob),
        compression_ratio=float(item.compression_ratio),
    )


#: A segment is split after a sentence end once it is this long (seconds)...
SPLIT_MIN_SECONDS = 1.0
#: ...at any pause at least this long...
SPLIT_PAUSE_SECONDS = 0.8
#: ...and at a clause or, failing that, any word once it grows past this.
SPLIT_MAX_SECONDS = 12.0


def split_segment(segment: SpeechSegment) -> list[SpeechSegment]:
    """Sentence-sized pieces of a (up to 30 s) segment, cut between words.

    Cut after a sentence end, at a pause, or when a piece gets too long (preferring a
    comma), so subtitles and search deep links point at the right moment.
    """
    words = segment.words
    if len(words) < 2:
        return [segment]
    pieces: list[SpeechSegment] = []
    begin = 0
    for i in range(len(words) - 1):
        current = words[begin : i + 1]
        length = words[i].end - current[0].start
        ends_sentence = words[i].word.rstrip().endswith((".", "?", "!"))
        pause = words[i + 1].start - words[i].end >= SPLIT_PAUSE_SECONDS
        too_long = length >= SPLIT_MAX_SECONDS and (
            words[i].word.rstrip().endswith((",", ";", ":")) or length >= SPLIT_MAX_SECONDS * 1.5
        )
        if pause or too_long or (ends_sentence and length >= SPLIT_MIN_SECONDS):
            pieces.append(segment.with_words(current))
            begin = i + 1
    pieces.append(segment.with_words(words[begin:]))
    return pieces
