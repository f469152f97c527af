"""Shared by the speech benchmarks: fair text normalisation, WER, the plain baseline.

Normalisation (applied to references and hypotheses alike): lower case; digits spelled out
in German (``268`` -> ``zweihundertachtundsechzig``); punctuation, hyphens and quotes become
spaces; ``ß`` and umlauts are kept.
"""

from __future__ import annotations

import re
import resource
import time
from pathlib import Path
from typing import Any

import jiwer

_ONES = [
    "null",
    "eins",
    "zwei",
    "drei",
    "vier",
    "fünf",
    "sechs",
    "sieben",
    "acht",
    "neun",
    "zehn",
    "elf",
    "zwölf",
    "dreizehn",
    "vierzehn",
    "fünfzehn",
    "sechzehn",
    "siebzehn",
    "achtzehn",
    "neunzehn",
]
_TENS = [
    "",
    "",
    "zwanzig",
    "dreißig",
    "vierzig",
    "fünfzig",
    "sechzig",
    "siebzig",
    "achtzig",
    "neunzig",
]


def german_number(n: int) -> str:
    """A non-negative integer below a million in German words (as one word)."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return (("ein" if ones == 1 else _ONES[ones]) + "und" if ones else "") + _TENS[tens]
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = ("ein" if hundreds == 1 else _ONES[hundreds]) + "hundert"
        return head + (german_number(rest) if rest else "")
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        head = ("ein" if thousands == 1 else german_number(thousands)) + "tausend"
        return head + (german_number(rest) if rest else "")
    return str(n)


def normalise(text: str) -> str:
    """The text as WER compares it (see the module docstring)."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"\d+", lambda m: " " + german_number(int(m.group())) + " ", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


def wer(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER over normalised texts (errors summed over all clips / reference words)."""
    refs = [normalise(r) for r in references]
    hyps = [normalise(h) for h in hypotheses]
    pairs = [(r, h) for r, h in zip(refs, hyps, strict=True) if r]
    if not pairs:
        return 0.0
    return jiwer.wer([r for r, _ in pairs], [h or "<leer>" for _, h in pairs])


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: "Plain" faster-whisper, the one baseline of every speech benchmark, as a user would script
#: it in ten lines: the bundled model, int8, all cores, sequential ``WhisperModel.transcribe``
#: with German and beam 5 and the library's defaults otherwise (no VAD, temperature
#: fallback, conditioned on the previous text, no prompt).
PLAIN = {"compute_type": "int8", "beam_size": 5, "language": "de"}


def plain_model(path: Path | None = None, threads: int | None = None) -> Any:
    """The plain baseline's model: ``path`` (default: the bundled model), int8, all cores
    (``threads`` fewer only on a loaded machine, and then for both systems alike)."""
    from faster_whisper import WhisperModel

    from mediaarchive.config import cpu_count

    return WhisperModel(
        str(path or bundled_model_path()),
        device="cpu",
        compute_type=PLAIN["compute_type"],
        cpu_threads=threads or cpu_count(),
    )


def plain_transcribe(model: Any, audio: Any) -> tuple[str, list[Any]]:
    """Plain faster-whisper (see ``PLAIN``) on 16 kHz mono samples: its text and segments."""
    segments, _ = model.transcribe(audio, language=PLAIN["language"], beam_size=PLAIN["beam_size"])
    segments = list(segments)
    return " ".join(s.text.strip() for s in segments), segments


def load_average() -> str:
    """The machine's 1/5/15-minute load (benchmarks on a shared machine say so)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def timed(func: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    began = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - began


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    return "\n".join([line, rule, *body])


def bundled_model_path() -> Path:
    from mediaarchive.asr.models import resolve_model
    from mediaarchive.config import Settings

    return resolve_model(Settings.load(), "base").path
