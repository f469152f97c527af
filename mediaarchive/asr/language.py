"""Which language is spoken: Whisper's language detection over several windows of speech
spread through the recording (not only the first 30 s), with a prior for weak evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mediaarchive.errors import TranscriptionError

__all__ = [
    "Detection",
    "LanguageDecision",
    "decide_language",
    "pick_windows",
    "whisper_detector",
]

SAMPLE_RATE = 16000
#: Length of one detection window (Whisper looks at 30 s at a time).
WINDOW_SECONDS = 30.0
#: Windows spread through the speech: one per this much speech (seconds), at most
#: ``WINDOWS``. Each window costs a pass of the encoder over 30 s, whatever it holds (1.2 s
#: on 2 cores for the bundled model): one per 30 s of speech made detection 18 % of the
#: transcription of a 2-minute talk.
SPEECH_PER_WINDOW = 60.0
WINDOWS = 5


@dataclass
class LanguageDecision:
    """The language chosen, its mean probability, and each window's evidence."""

    language: str
    probability: float | None
    reason: str
    windows: list[dict[str, Any]] = field(default_factory=list)
    means: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "probability": self.probability,
            "reason": self.reason,
            "means": self.means,
            "windows": self.windows,
        }


def pick_windows(
    spans: list[tuple[float, float]], count: int = WINDOWS, seconds: float = WINDOW_SECONDS
) -> list[list[tuple[float, float]]]:
    """Up to ``count`` windows of at most ``seconds`` of speech each, one per
    ``SPEECH_PER_WINDOW`` of speech in ``spans``, spread evenly over it from its first
    ``seconds`` to its last (each window is a list of (start, end) pieces in seconds)."""
    total = sum(b - a for a, b in spans)
    if total <= 0:
        return []
    count = max(1, min(count, int(np.ceil(total / max(seconds, SPEECH_PER_WINDOW)))))
    step = max(0.0, total - seconds) / (count - 1) if count > 1 else 0.0
    windows = []
    for i in range(count):
        want_from, want_to = i * step, i * step + min(seconds, total)
        pieces, position = [], 0.0
        for start, end in spans:
            length = end - start
            lo, hi = max(want_from, position), min(want_to, position + length)
            if hi > lo:
                pieces.append((start + lo - position, start + hi - position))
            position += length
        windows.append(pieces)
    return windows


#: What a detection reports for one window: (language, probability, every language's
#: probability, best first), as ``WhisperModel.detect_language`` does.
Detection = tuple[str, float, list[tuple[str, float]]]


def whisper_detector(
    whisper: Any, audio: np.ndarray
) -> Callable[[list[tuple[float, float]]], Detection]:
    """Detection on a window of ``audio``'s speech: its pieces cut out and joined."""

    def detect(pieces: list[tuple[float, float]]) -> Detection:
        chunk = np.concatenate(
            [audio[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)] for a, b in pieces]
        )
        return whisper.detect_language(audio=chunk, language_detection_segments=1)

    return detect


def decide_language(
    detect: Callable[[list[tuple[float, float]]], Detection],
    windows: list[list[tuple[float, float]]],
    *,
    prior: str,
    min_probability: float,
) -> LanguageDecision:
    """The language from Whisper's detection (``detect``) on ``windows`` of speech
    (``pick_windows``).

    The language with the highest mean probability over the windows wins when that mean is
    at least ``min_probability``; weaker evidence (or no speech) keeps ``prior``.
    """
    if not windows:
        return LanguageDecision(prior, None, "no speech heard: the prior language")
    evidence: list[dict[str, Any]] = []
    sums: dict[str, float] = {}
    for pieces in windows:
        try:
            language, probability, all_probs = detect(pieces)
        except Exception as exc:  # CTranslate2 raises plain RuntimeErrors
            raise TranscriptionError(f"language detection failed: {exc}") from exc
        for code, prob in all_probs:
            sums[code] = sums.get(code, 0.0) + float(prob)
        evidence.append(
            {
                "start": round(pieces[0][0], 2),
                "end": round(pieces[-1][1], 2),
                "language": language,
                "probability": round(float(probability), 3),
                "top": [[code, round(float(p), 3)] for code, p in all_probs[:3]],
            }
        )
    means = {code: total / len(windows) for code, total in sums.items()}
    best = max(means, key=lambda code: means[code])
    top = dict(sorted(means.items(), key=lambda kv: -kv[1])[:3])
    rounded = {code: round(p, 3) for code, p in top.items()}
    if prior not in rounded and prior in means:
        rounded[prior] = round(means[prior], 3)
    if best == prior or means[best] >= min_probability:
        reason = "detected" if best != prior else "detected (the prior language)"
        return LanguageDecision(best, round(means[best], 4), reason, evidence, rounded)
    return LanguageDecision(
        prior,
        round(means.get(prior, 0.0), 4),
        f"evidence for {best} too weak ({means[best]:.2f} < {min_probability}): the prior",
        evidence,
        rounded,
    )
