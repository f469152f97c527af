"""Cue building: the archive's builder against two common baselines, side by side.

Baselines:
  * segment: one cue per Whisper segment (a sentence), lines wrapped greedily - what
    Whisper's own writers and many tools do;
  * greedy: words appended to a cue until the next would overflow its lines or duration,
    lines filled greedily - the usual hand-written splitter.

The word stream is an hour of the seed's German text, spoken at a rate that changes per
sentence (11-19 characters/s, some fast stretches at 21) with natural pauses; words are
shaped like faster-whisper's (leading spaces, "4," + "9" for numbers).

Run: .venv/bin/python benchmarks/subtitles.py
"""

from __future__ import annotations

import random
import re
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from mediaarchive.subtitles import PRESETS, Cue, Preset, TimedWord, build_cues, check_cues
from mediaarchive.subtitles.cues import tokenize

SEED_NAME = "shared/seed/000_8e33b6325b9cc12a.txt"
#: The seed lies in shared/ beside the checkout (or beside the worktrees' folder).
SEED = next(
    (
        parent / SEED_NAME
        for parent in Path(__file__).resolve().parents
        if (parent / SEED_NAME).exists()
    ),
    Path(SEED_NAME),
)
EXTRA = (
    "Die Zufriedenheit lag bei 4,9 von fünf Punkten. Am 3. Oktober stellen wir die Ergebnisse "
    "vor, und danach diskutieren wir, ob das Innovationslabor im Frühjahr umzieht. "
    "Wir haben seit dem 1. Januar 2024 insgesamt 37 Workshops gemacht, aber die meisten "
    "davon waren online, weil die Räume der Universitätsbibliothek renoviert wurden."
)


def seed_text() -> str:
    lines = []
    if SEED.exists():
        for line in SEED.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("http") and len(line.split()) > 4:
                lines.append(line)
    return " ".join(lines + [EXTRA])


def word_stream(seconds: float, seed: int = 7) -> list[TimedWord]:
    rng = random.Random(seed)
    # Sentence ends, but not after an ordinal ("3. Oktober") or an abbreviation ("Prof.").
    sentences = re.split(r"(?<![\d]\.)(?<!Prof\.)(?<!Dr\.)(?<=[.!?])\s+(?=[A-ZÄÖÜ])", seed_text())
    words: list[TimedWord] = []
    position, segment = 0.0, 0
    while position < seconds:
        for sentence in sentences:
            rate = rng.choice([11, 13, 14, 15, 16, 17, 19, 21])
            for raw in sentence.split():
                pieces = re.split(r"(?<=\d,)(?=\d)", raw)  # "4,9" -> "4," + "9"
                for number, piece in enumerate(pieces):
                    spoken = max(len(piece) / rate, 0.12)
                    text = piece if number else " " + piece
                    words.append(TimedWord(position, position + spoken, text, segment))
                    position += spoken
                position += rng.choice([0.02, 0.05, 0.08, 0.15, 0.3])
            position += rng.choice([0.2, 0.4, 0.6, 1.0, 2.0])
            segment += 1
    return words


def _wrap(text: str, preset: Preset) -> list[str]:
    return textwrap.wrap(text, preset.max_chars_per_line, break_long_words=False) or [text]


def _timed(cues: list[Cue], preset: Preset) -> list[Cue]:
    for cue, following in zip(cues, cues[1:], strict=False):
        cue.end = min(cue.speech_end + preset.linger, following.start - preset.min_gap)
        cue.end = max(cue.end, cue.start + 0.1)
    if cues:
        cues[-1].end = cues[-1].speech_end + preset.linger
    return cues


def segment_baseline(words: list[TimedWord], preset: Preset) -> list[Cue]:
    cues, current = [], []
    for word in words:
        if current and word.segment != current[-1].segment:
            cues.append(current)
            current = []
        current.append(word)
    if current:
        cues.append(current)
    result = []
    for group in cues:
        text = "".join(word.text for word in group).strip()
        lines = _wrap(text, preset)
        result.append(Cue(group[0].start, group[-1].end, lines, group[0].start, group[-1].end))
    return _timed(result, preset)


def greedy_baseline(words: list[TimedWord], preset: Preset) -> list[Cue]:
    tokens = tokenize(words)
    result, current = [], []
    for token in tokens:
        candidate = current + [token]
        text = " ".join(t.text for t in candidate)
        too_long = len(_wrap(text, preset)) > preset.max_lines
        too_slow = candidate[-1].end - candidate[0].start > preset.max_duration
        if current and (too_long or too_slow):
            result.append(current)
            candidate = [token]
        current = candidate
    if current:
        result.append(current)
    return _timed(
        [
            Cue(
                g[0].start,
                g[-1].end,
                _wrap(" ".join(t.text for t in g), preset),
                g[0].start,
                g[-1].end,
            )
            for g in result
        ],
        preset,
    )


def quality(cues: list[Cue], words: list[TimedWord], preset: Preset) -> dict[str, float]:
    tokens = tokenize(words)
    last_words = {}
    for index, token in enumerate(tokens):
        last_words.setdefault(round(token.end, 6), index)
    mid_clause = 0
    for cue, following in zip(cues, cues[1:], strict=False):
        last = cue.lines[-1].split()[-1]
        first = following.lines[0].split()[0].lower()
        if not re.search(r"[.!?,;:]$", last) and first not in {
            "und",
            "oder",
            "aber",
            "dass",
            "weil",
            "denn",
            "sondern",
            "wenn",
            "ob",
        }:
            mid_clause += 1
    lone = sum(
        1 for cue in cues if len(cue.lines) > 1 for line in cue.lines if len(line.split()) == 1
    )
    problems = check_cues(cues, preset)
    # Cues whose only broken limit is the reading speed (the speech itself is too fast).
    speed_only = sum(1 for problem in problems if all("characters/s" in r for r in problem.reasons))
    return {
        "cues": len(cues),
        "breaking preset %": 100 * len(problems) / max(len(cues), 1),
        "other than speed %": 100 * (len(problems) - speed_only) / max(len(cues), 1),
        "cut mid-clause %": 100 * mid_clause / max(len(cues) - 1, 1),
        "lone-word lines": lone,
    }


def main() -> int:
    words = word_stream(3600.0)
    hours = (words[-1].end - words[0].start) / 3600
    builders: dict[str, Callable[[list[TimedWord], Preset], list[Cue]]] = {
        "segment (baseline)": segment_baseline,
        "greedy (baseline)": greedy_baseline,
        "build_cues": build_cues,
    }
    print(f"{len(words)} words, {hours:.2f} h of speech")
    print("breaking preset: cues the checker reports; not speed: of those, cues that break a")
    print("limit other than the reading speed (speech faster than the preset allows)\n")
    header = (
        f"{'preset':<13} {'builder':<19} {'cues':>5} {'breaking preset':>16} "
        f"{'not speed':>10} "
        f"{'cut mid-clause':>15} {'lone-word lines':>16} {'s per hour':>11}"
    )
    print(header)
    print("-" * len(header))
    for preset in PRESETS.values():
        for name, builder in builders.items():
            started = time.perf_counter()
            cues = builder(words, preset)
            seconds = (time.perf_counter() - started) / hours
            q = quality(cues, words, preset)
            print(
                f"{preset.name:<13} {name:<19} {q['cues']:>5} "
                f"{q['breaking preset %']:>15.1f}% {q['other than speed %']:>9.1f}% "
                f"{q['cut mid-clause %']:>14.1f}% "
                f"{q['lone-word lines']:>16} {seconds:>11.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
