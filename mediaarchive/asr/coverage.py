"""How much of the speech the VAD heard the recognised words cover, and where they do not.

Decoding a 30 s chunk in one go, Whisper sometimes ends early, or gives back only its
prompt, and the rest of the chunk is silently lost. Comparing the VAD's speech with the
words' times finds such stretches, so they can be decoded again and, where that fails too,
be recorded (``Coverage``) instead of vanishing.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mediaarchive.asr.audio import give_back_memory
from mediaarchive.asr.segments import SpeechSegment

__all__ = [
    "Coverage",
    "covered_seconds",
    "speech_spans",
    "speech_timestamps",
    "uncovered_speech",
]

SAMPLE_RATE = 16000
#: Speech no word covers for at least this long is decoded again (and then reported).
MIN_UNCOVERED_SECONDS = 1.5
#: A word covers this much around its own times (word times are tight; VAD pads speech).
WORD_PAD_SECONDS = 0.3


#: VAD results kept (one per window of audio; a few bytes each): language detection and the
#: coverage check ask for the same windows, one VAD pass each cost 0.3 s for 2 minutes.
_KEPT_VAD = 512
_vad_kept: OrderedDict[tuple[bytes, tuple[tuple[str, Any], ...]], list[dict[str, int]]] = (
    OrderedDict()
)
_vad_lock = threading.Lock()


def speech_timestamps(window: np.ndarray, vad_parameters: dict[str, Any]) -> list[dict[str, int]]:
    """Silero VAD's speech (sample ranges, each <= 30 s) in ``window``, as faster-whisper's
    batched pipeline finds it; the same samples with the same parameters are heard once."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = {**vad_parameters, "max_speech_duration_s": 30}
    samples = np.ascontiguousarray(window, dtype=np.float32)
    key = (
        hashlib.blake2b(samples.view(np.uint8), digest_size=16).digest(),
        tuple(sorted(vad.items())),
    )
    with _vad_lock:
        kept = _vad_kept.get(key)
        if kept is not None:
            _vad_kept.move_to_end(key)
            return [dict(span) for span in kept]
    found = get_speech_timestamps(samples, VadOptions(**vad))
    give_back_memory()
    with _vad_lock:
        _vad_kept[key] = [dict(span) for span in found]
        while len(_vad_kept) > _KEPT_VAD:
            _vad_kept.popitem(last=False)
    return found


def speech_spans(
    window: np.ndarray, base: float, vad_parameters: dict[str, Any]
) -> list[tuple[float, float]]:
    """Stretches (absolute seconds, each <= 30 s) the VAD calls speech."""
    return [
        (base + span["start"] / SAMPLE_RATE, base + span["end"] / SAMPLE_RATE)
        for span in speech_timestamps(window, vad_parameters)
    ]


def _covered(segments: list[SpeechSegment]) -> list[tuple[float, float]]:
    return sorted(
        (w.start - WORD_PAD_SECONDS, w.end + WORD_PAD_SECONDS) for s in segments for w in s.words
    )


def uncovered_speech(
    spans: list[tuple[float, float]],
    segments: list[SpeechSegment],
    minimum: float = MIN_UNCOVERED_SECONDS,
) -> list[tuple[float, float]]:
    """The parts of ``spans`` (each <= 30 s) no word covers, at least ``minimum`` long."""
    covered = _covered(segments)
    gaps: list[tuple[float, float]] = []
    for start, end in spans:
        cursor = start
        for w_start, w_end in covered:
            if w_end <= cursor or w_start >= end:
                continue
            if w_start - cursor >= minimum:
                gaps.append((cursor, w_start))
            cursor = max(cursor, w_end)
        if end - cursor >= minimum:
            gaps.append((cursor, end))
    return [(round(float(a), 3), round(float(min(b, a + 30.0)), 3)) for a, b in gaps]


def covered_seconds(spans: list[tuple[float, float]], segments: list[SpeechSegment]) -> float:
    """Seconds of ``spans`` that words cover."""
    covered = _covered(segments)
    total = 0.0
    for start, end in spans:
        cursor = start
        for w_start, w_end in covered:
            lo, hi = max(cursor, w_start), min(end, w_end)
            if hi > lo:
                total += hi - lo
                cursor = hi
    return total


@dataclass
class Coverage:
    """What a run heard and recognised: seconds of speech, seconds covered, what was redone."""

    speech_seconds: float = 0.0
    covered_seconds: float = 0.0
    #: Speech ranges decoded again, and how: "without_prompt", then "sequential".
    retried: list[dict[str, Any]] = field(default_factory=list)
    #: Speech ranges no word covers after the retries (absolute seconds).
    uncovered: list[tuple[float, float]] = field(default_factory=list)
    #: The first and last moment of heard speech (None: none heard).
    first_speech: float | None = None
    last_speech: float | None = None

    def add(
        self, spans: list[tuple[float, float]], segments: list[SpeechSegment]
    ) -> list[tuple[float, float]]:
        """Count one window's speech and words; return (and keep) what stays uncovered."""
        self.speech_seconds += float(sum(b - a for a, b in spans))
        self.covered_seconds += float(covered_seconds(spans, segments))
        if spans:
            if self.first_speech is None:
                self.first_speech = float(spans[0][0])
            self.last_speech = float(spans[-1][1])
        gaps = uncovered_speech(spans, segments)
        self.uncovered.extend(gaps)
        return gaps

    @property
    def share(self) -> float | None:
        """Share of the heard speech the words cover (None: no speech heard)."""
        if self.speech_seconds <= 0:
            return None
        return min(1.0, self.covered_seconds / self.speech_seconds)

    def to_json(self) -> dict[str, Any]:
        return {
            "speech_seconds": round(self.speech_seconds, 2),
            "covered_seconds": round(self.covered_seconds, 2),
            "covered_share": None if self.share is None else round(self.share, 3),
            "first_speech": None if self.first_speech is None else round(self.first_speech, 2),
            "last_speech": None if self.last_speech is None else round(self.last_speech, 2),
            "retried": self.retried,
            "uncovered": [[a, b] for a, b in self.uncovered],
        }
