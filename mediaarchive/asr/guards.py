"""Guards against Whisper's known failures, applied to every segment as it is produced.

1. Hallucinated boilerplate: subtitle credits Whisper learned from German TV ("Untertitel im
   Auftrag des ZDF") are never spoken in a talk and always go; sign-offs that a speaker may
   really say ("Vielen Dank fürs Zuschauen") go only when the audio gives no evidence of speech.
2. Repetition loops: a word or phrase repeated over and over inside a segment is cut back to
   its first occurrence; a segment repeating the previous ones word for word is dropped.
3. Text where there is no speech: a segment over near-silent audio, or one the decoder itself
   marks as no-speech with low confidence, is dropped (the batched decoder does not apply
   Whisper's own no-speech rule).

Every dropped or cut segment is reported, so the transcript's provenance shows what went.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mediaarchive.asr.coverage import Coverage
from mediaarchive.asr.segments import SpeechSegment

__all__ = ["GuardOptions", "SegmentGuard", "normalise"]

#: Credits from subtitled TV that Whisper emits on silence, music or applause (normalised).
CREDIT_PATTERNS = [
    r"untertitel(ung)? (im auftrag )?(des|vom) (zdf|ard|wdr|ndr|br|swr|mdr|hr|rbb|sr)\b.*",
    r"untertitel(ung)? (im auftrag )?(des|vom) zdf.*",
    r"untertitel(ung)? (der|von|durch die) amara ?org.*",
    r"untertitel(ung)? (von|durch) .{0,40}",
    r"(copyright|©) (wdr|zdf|ard|ndr|swr|br) .{0,20}",
    r"swr \d{4}",
    r"zdf \d{4}",
    r"(mit )?untertiteln? (für|fuer) funk.*",
]
#: Sign-offs a speaker might say; dropped only without evidence of speech.
SIGN_OFF_PATTERNS = [
    r"vielen dank (fürs|für das|für's|fuers) (zuschauen|zusehen|zuhören)",
    r"danke (fürs|für das|für's) (zuschauen|zusehen|zuhören)",
    r"bis zum nächsten mal",
    r"bis zum nächsten video",
    r"(und )?(tschüss|tschüs|ciao)",
    r"(vielen )?dank(e)?( schön)?",
    r"abonniert (meinen|den) kanal.*",
    r"wir sehen uns (im nächsten video|beim nächsten mal)",
]
_CREDITS = re.compile("^(?:" + "|".join(CREDIT_PATTERNS) + ")$")
_SIGN_OFFS = re.compile("^(?:" + "|".join(SIGN_OFF_PATTERNS) + ")$")


def normalise(text: str) -> str:
    """Lower case, punctuation and extra space removed (for comparing texts)."""
    text = re.sub(r"[^\w\s©]", " ", text.lower().replace("’", "'"))
    return " ".join(text.split())


@dataclass(frozen=True)
class GuardOptions:
    """Thresholds of the guards (recorded in the provenance)."""

    #: Audio quieter than this (dBFS RMS of the segment's louder 50 ms frames) is no speech.
    silence_dbfs: float = -50.0
    #: Whisper's own no-speech rule: no_speech_prob above and avg_logprob below.
    no_speech_prob: float = 0.6
    log_prob: float = -1.0
    #: A sign-off is believed only with mean word probability at least this and
    #: no_speech_prob below ``no_speech_prob``.
    sign_off_min_probability: float = 0.6
    #: A phrase of n words repeated back to back more than this often is a loop.
    max_repeats: int = 3
    max_ngram: int = 8

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SegmentGuard:
    """Checks segments one by one over the audio they came from (16 kHz mono float32)."""

    audio: np.ndarray
    sample_rate: int = 16000
    options: GuardOptions = field(default_factory=GuardOptions)
    #: Offset of ``audio[0]`` in the recording (when resuming from the middle).
    offset: float = 0.0
    dropped: list[dict[str, Any]] = field(default_factory=list)
    #: How much of the heard speech the kept words cover (filled by the transcriber).
    coverage: Coverage = field(default_factory=Coverage)
    _recent: list[str] = field(default_factory=list)
    _history: list[str] = field(default_factory=list)

    def check(self, segment: SpeechSegment) -> SpeechSegment | None:
        """The segment as it may be kept (loops cut), or None when it must go."""
        norm = normalise(segment.text)
        if not norm:
            return None
        if _CREDITS.match(norm):
            return self._drop(segment, "boilerplate")
        if self._is_silent(segment):
            return self._drop(segment, "no_speech")
        if (
            segment.no_speech_prob > self.options.no_speech_prob
            and segment.avg_logprob < self.options.log_prob
        ):
            return self._drop(segment, "no_speech")
        if _SIGN_OFFS.match(norm) and not self._believable(segment):
            return self._drop(segment, "boilerplate")
        cut = self._cut_loops(segment)
        if cut is not segment:
            if not normalise(cut.text):
                return self._drop(segment, "repetition")
            self.dropped.append(
                {
                    "guard": "repetition",
                    "start": segment.start,
                    "end": segment.end,
                    "text": segment.text,
                    "kept": cut.text,
                }
            )
            segment = cut
            norm = normalise(segment.text)
        if len(norm.split()) >= 3 and self._recent.count(norm) >= 2:
            return self._drop(segment, "repetition")
        self._recent = [*self._recent[-3:], norm]
        return segment

    def report(self) -> dict[str, Any]:
        """What the guards did, for the provenance."""
        counts: dict[str, int] = {}
        for item in self.dropped:
            counts[item["guard"]] = counts.get(item["guard"], 0) + 1
        return {"options": self.options.to_json(), "counts": counts, "dropped": self.dropped}

    def drop(self, segment: SpeechSegment, guard: str) -> None:
        """Record ``segment`` as removed by ``guard`` (e.g. "prompt_echo")."""
        self._drop(segment, guard)

    def _drop(self, segment: SpeechSegment, guard: str) -> None:
        self.dropped.append(
            {"guard": guard, "start": segment.start, "end": segment.end, "text": segment.text}
        )
        return None

    def _level_dbfs(self, start: float, end: float) -> float:
        first = max(0, int((start - self.offset) * self.sample_rate))
        last = min(len(self.audio), int((end - self.offset) * self.sample_rate))
        if last <= first:
            return -120.0
        window = self.audio[first:last].astype(np.float64)
        # The level of the segment's louder stretches (90th percentile of 50 ms frames), not
        # of the whole: a whispered sentence with pauses averaged -51 dBFS and was taken for
        # silence, while its words peak 25 dB higher; silence and hiss have no loud frames.
        frame = max(1, self.sample_rate // 20)
        usable = len(window) - len(window) % frame or len(window)
        frames = window[:usable].reshape(-1, min(frame, usable))
        rms = float(np.percentile(np.sqrt(np.mean(frames * frames, axis=1)), 90))
        return 20.0 * np.log10(max(rms, 1e-6))

    def _is_silent(self, segment: SpeechSegment) -> bool:
        return self._level_dbfs(segment.start, segment.end) < self.options.silence_dbfs

    def _believable(self, segment: SpeechSegment) -> bool:
        probability = segment.confidence
        return (
            probability >= self.options.sign_off_min_probability
            and segment.no_speech_prob < self.options.no_speech_prob / 2
        )

    def _cut_loops(self, segment: SpeechSegment) -> SpeechSegment:
        """Cut runs of a repeated word or phrase, also runs that began in earlier segments."""
        history = self._history
        if segment.words:
            tokens = [normalise(w.word) for w in segment.words]
        else:
            tokens = [normalise(t) for t in segment.text.split()]
        keep = [
            i - len(history)
            for i in _loop_free(history + tokens, self.options.max_repeats, self.options.max_ngram)
            if i >= len(history)
        ]
        self._history = (history + [tokens[i] for i in keep])[-HISTORY_WORDS:]
        if len(keep) == len(tokens):
            return segment
        if segment.words:
            return segment.with_words(tuple(segment.words[i] for i in keep))
        parts = segment.text.split()
        return replace(segment, text=" ".join(parts[i] for i in keep))


#: Words of the preceding segments a loop may have begun in.
HISTORY_WORDS = 48


def _loop_free(tokens: list[str], max_repeats: int, max_ngram: int) -> list[int]:
    """Indexes of tokens to keep: runs of an n-gram repeated > max_repeats times cut to one."""
    keep: list[int] = []
    i = 0
    n_tokens = len(tokens)
    while i < n_tokens:
        cut = False
        for n in range(1, max_ngram + 1):
            if i + n * (max_repeats + 1) > n_tokens:
                break
            gram = tokens[i : i + n]
            if not any(gram):
                continue
            repeats = 1
            while tokens[i + repeats * n : i + (repeats + 1) * n] == gram:
                repeats += 1
            if repeats > max_repeats:
                keep.extend(range(i, i + n))
                i += repeats * n
                cut = True
                break
        if not cut:
            keep.append(i)
            i += 1
    return keep
