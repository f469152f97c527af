"""Which language is spoken: Whisper's language detection over several windows of speech
spread through the recording (not only the first 30 s), with a prior for weak evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mediaarchive.errors import TranscriptionError

__all__ = [
    "Detection",
    "LanguageDecision",
    "decide_language",
]

#: Windows spread through the speech: one per this much speech (seconds), at most
#: ``WINDOWS``. Each window is a chunk of up to 30 s the decoder encodes too, and its
#: encoder pass is handed on to the decoder (``encodings``); one per 30 s of speech made
#: detection 18 % of the transcription of a 2-minute talk when the passes were not shared.
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


#: What a detection reports for one window: (language, probability, every language's
#: probability, best first), as ``WhisperModel.detect_language`` does.
Detection = tuple[str, float, list[tuple[str, float]]]


def decide_language(
    detect: Callable[[list[tuple[float, float]]], Detection],
    windows: list[list[tuple[float, float]]],
    *,
    prior: str,
    min_probability: float,
) -> LanguageDecision:
    """The language from Whisper's detection (``detect``) on ``windows`` of speech
    (``encodings.pick_chunks``).

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
