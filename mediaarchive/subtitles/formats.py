"""Subtitle and transcript formats: SubRip, WebVTT, plain text and JSON.

All writers return ``str``; files are written as UTF-8 (without a byte order mark) by the
caller. Cue text is escaped so that ``<`` and ``&`` show as themselves in players.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mediaarchive.subtitles.cues import Cue, tokenize
from mediaarchive.subtitles.words import TimedWord

FORMATS = ("vtt", "srt", "txt", "json")
MIME_TYPES = {
    "vtt": "text/vtt; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "json": "application/json",
}
#: A pause this long between sentences starts a new paragraph in the plain text.
PARAGRAPH_PAUSE = 2.0
#: A paragraph ends at the next sentence end once it is this long (seconds or characters).
PARAGRAPH_SECONDS = 60.0
PARAGRAPH_CHARS = 600
TEXT_WIDTH = 78


def _timestamp(seconds: float, separator: str) -> str:
    millis = max(round(seconds * 1000), 0)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def escape_cue_text(text: str) -> str:
    """Escape what a player would read as markup: ``&``, ``<`` and ``>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_srt(cues: Sequence[Cue]) -> str:
    """SubRip: numbered cues, ``HH:MM:SS,mmm`` times, a blank line after each."""
    blocks = []
    for number, cue in enumerate(cues, start=1):
        times = f"{_timestamp(cue.start, ',')} --> {_timestamp(cue.end, ',')}"
        lines = "\n".join(escape_cue_text(line) for line in cue.lines)
        blocks.append(f"{number}\n{times}\n{lines}\n")
    return "\n".join(blocks)


def to_vtt(cues: Sequence[Cue], *, language: str | None = None) -> str:
    """WebVTT: the ``WEBVTT`` header, numbered cues, ``HH:MM:SS.mmm`` times."""
    header = "WEBVTT"
    if language:
        header += f"\nLanguage: {language}"
    blocks = [header + "\n"]
    for number, cue in enumerate(cues, start=1):
        times = f"{_timestamp(cue.start, '.')} --> {_timestamp(cue.end, '.')}"
        lines = "\n".join(escape_cue_text(line) for line in cue.lines)
        blocks.append(f"{number}\n{times}\n{lines}\n")
    return "\n".join(blocks)


@dataclass
class Paragraph:
    """A paragraph of the plain-text transcript."""

    start: float
    text: str


def paragraphs(words: Sequence[TimedWord]) -> list[Paragraph]:
    """Sentences grouped into paragraphs at long pauses, or when a paragraph grows long."""
    result: list[Paragraph] = []
    current: list[str] = []
    start = 0.0
    chars = 0
    tokens = tokenize(words)
    for index, token in enumerate(tokens):
        if not current:
            start = token.start
        current.append(token.text)
        chars += len(token.text) + 1
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is None:
            break
        pause = following.start - token.end
        at_sentence_end = token.sentence_end
        long_enough = following.start - start >= PARAGRAPH_SECONDS or chars >= PARAGRAPH_CHARS
        if (pause >= PARAGRAPH_PAUSE and (at_sentence_end or pause >= 2 * PARAGRAPH_PAUSE)) or (
            at_sentence_end and long_enough
        ):
            result.append(Paragraph(start, " ".join(current)))
            current, chars = [], 0
    if current:
        result.append(Paragraph(start, " ".join(current)))
    return result


def to_text(words: Sequence[TimedWord], *, title: str | None = None) -> str:
    """A readable transcript: paragraphs, each opened by its time mark ``[H:MM:SS]``."""
    parts = []
    if title:
        parts.append(title)
        parts.append("=" * min(len(title), TEXT_WIDTH))
        parts.append("")
    for paragraph in paragraphs(words):
        seconds = int(paragraph.start)
        mark = f"[{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}]"
        parts.append(
            textwrap.fill(
                f"{mark} {paragraph.text}",
                width=TEXT_WIDTH,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"


def to_json(document: dict[str, Any]) -> str:
    """The transcript document (segments and words) as pretty, UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
