"""The preset checker: every cue that breaks its preset, and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mediaarchive.subtitles.cues import Cue
from mediaarchive.subtitles.presets import Preset


@dataclass(frozen=True)
class CueProblem:
    """A cue that breaks its preset, with one reason per broken limit."""

    index: int
    start: float
    end: float
    text: str
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "reasons": list(self.reasons),
        }

    def describe(self) -> str:
        """One line for the ``--check`` report."""
        text = self.text.replace("\n", " / ")
        return (
            f"cue {self.index} {format_clock(self.start)}-{format_clock(self.end)} "
            f"{'; '.join(self.reasons)}: {text}"
        )


def format_clock(seconds: float) -> str:
    """``H:MM:SS.mmm`` for reports."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _ms(seconds: float) -> int:
    # Compare in whole milliseconds: that is what SRT and WebVTT files carry.
    return round(seconds * 1000)


def check_cues(cues: Sequence[Cue], preset: Preset) -> list[CueProblem]:
    """Every cue (numbered from 1) that breaks a limit of ``preset``, with the reasons."""
    problems: list[CueProblem] = []
    previous_end: int | None = None
    for index, cue in enumerate(cues, start=1):
        reasons: list[str] = []
        start, end = _ms(cue.start), _ms(cue.end)
        if not cue.text.strip():
            reasons.append("empty cue")
        if len(cue.lines) > preset.max_lines:
            reasons.append(f"{len(cue.lines)} lines (max {preset.max_lines})")
        for number, line in enumerate(cue.lines, start=1):
            if len(line) > preset.max_chars_per_line:
                reasons.append(
                    f"line {number} has {len(line)} characters (max {preset.max_chars_per_line})"
                )
        duration = end - start
        if duration <= 0:
            reasons.append("ends before it starts")
        else:
            if duration < _ms(preset.min_duration):
                reasons.append(f"on screen {duration / 1000:.3f} s (min {preset.min_duration:g} s)")
            if duration > _ms(preset.max_duration):
                reasons.append(f"on screen {duration / 1000:.3f} s (max {preset.max_duration:g} s)")
            cps = cue.chars * 1000 / duration
            if cps > preset.max_cps + 1e-9:
                reasons.append(
                    f"{cps:.1f} characters/s (max {preset.max_cps:g}): "
                    "the speech is too fast to show in full at this reading speed"
                )
        if previous_end is not None:
            gap = start - previous_end
            if gap < 0:
                reasons.append(f"overlaps the previous cue by {-gap / 1000:.3f} s")
            elif gap < _ms(preset.min_gap):
                reasons.append(
                    f"{gap / 1000:.3f} s after the previous cue (min {preset.min_gap:g} s)"
                )
        previous_end = end
        if reasons:
            problems.append(CueProblem(index, cue.start, cue.end, cue.text, tuple(reasons)))
    return problems
