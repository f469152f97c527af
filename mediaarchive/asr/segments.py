"""Records the recogniser yields: segments of speech with their words (times in seconds)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace


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
