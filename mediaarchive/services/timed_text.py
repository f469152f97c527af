"""The timed text form of a transcript (``transcript edit``) and word times after an edit.

The form has one segment a line, ``[0:01:12.4] text of the segment``, under a header that
names the asset and the revision it was read at. Reading it back checks every line before
anything is saved. Inside an edited segment, words that did not change keep their times and
probabilities; new words get times interpolated between their neighbours, by characters,
and no probability (they are left out of confidence figures).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from mediaarchive.errors import UserError

__all__ = [
    "FormLine",
    "TimedToken",
    "format_stamp",
    "parse_form",
    "render_form",
    "retime_words",
]

_HEADER = re.compile(r"^#\s*mediaarchive transcript of asset (?P<asset>[0-9a-f]{6,64})\b")
_REVISION = re.compile(r"^#\s*revision (?P<revision>\d+) of transcript (?P<transcript>\d+)\b")
_PUNCTUATION = ".,;:!?…\"'„“”‚‘’»«()[]–-"
_LINE = re.compile(r"^\[(?P<h>\d+):(?P<m>[0-5]\d):(?P<s>[0-5]\d\.\d)\](?:\s(?P<text>.*))?$")


@dataclass(frozen=True)
class TimedToken:
    """A word with its times and probability (None: placed by an edit, not heard)."""

    start: float
    end: float
    word: str
    probability: float | None


@dataclass(frozen=True)
class FormLine:
    """One line of the form as read back: its line number, time stamp and text."""

    number: int
    stamp: str
    text: str


def format_stamp(seconds: float) -> str:
    """``H:MM:SS.s`` (tenths), as the form shows a segment's start."""
    tenths = max(int(round(seconds * 10)), 0)
    hours, rest = divmod(tenths, 36000)
    minutes, rest = divmod(rest, 600)
    return f"{hours}:{minutes:02d}:{rest // 10:02d}.{rest % 10}"


def render_form(
    asset_id: str,
    title: str | None,
    transcript_id: int,
    revision: int,
    lines: Sequence[tuple[float, str]],
) -> str:
    """The form for ``transcript edit``: the header, then one ``[stamp] text`` a segment."""
    header = [
        f"# mediaarchive transcript of asset {asset_id}" + (f": {title}" if title else ""),
        f"# revision {revision} of transcript {transcript_id}; saving makes a new revision",
        "# One segment a line. Keep each [H:MM:SS.s] time stamp as it is and change the text;",
        "# an empty text removes the segment. Lines starting with # are ignored.",
    ]
    return "\n".join(header + [f"[{format_stamp(start)}] {text}" for start, text in lines]) + "\n"


def parse_form(text: str) -> tuple[str | None, int | None, int | None, list[FormLine]]:
    """``(asset id, transcript id, revision, lines)`` of a form.

    Raises:
        UserError: a line whose time stamp was removed or broken (named by number).
    """
    asset = transcript = revision = None
    lines: list[FormLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n").rstrip()
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            if match := _HEADER.match(line.strip()):
                asset = match["asset"]
            elif match := _REVISION.match(line.strip()):
                transcript, revision = int(match["transcript"]), int(match["revision"])
            continue
        match = _LINE.match(line.strip())
        if match is None:
            shown = line.strip()
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise UserError(
                f"line {number}: the time stamp is missing or broken ({shown!r}); each line "
                "starts with its [H:MM:SS.s] time stamp as written; nothing was saved"
            )
        stamp = f"{int(match['h'])}:{match['m']}:{match['s']}"
        lines.append(FormLine(number, stamp, " ".join((match["text"] or "").split())))
    return asset, transcript, revision, lines


def _spread(pieces: Sequence[str], start: float, end: float) -> list[TimedToken]:
    """Words placed over ``start``–``end`` by their length in characters."""
    weights = [len(piece) + 1 for piece in pieces]
    total = sum(weights) or 1
    span = max(end - start, 0.0)
    tokens: list[TimedToken] = []
    position = start
    for piece, weight in zip(pieces, weights, strict=True):
        length = span * weight / total
        tokens.append(
            TimedToken(round(position, 3), round(position + length, 3), " " + piece, None)
        )
        position += length
    return tokens


def _key(word: str) -> str:
    """A word as compared across versions: without punctuation around it, any case."""
    return word.strip().strip(_PUNCTUATION).casefold() or word.strip()


def retime_words(
    old: Sequence[TimedToken],
    new_text: str,
    start: float,
    end: float,
    *,
    place_all: bool = False,
) -> list[TimedToken]:
    """The words of ``new_text``: unchanged ones keep their times, new ones are placed.

    A word is unchanged when it reads the same but for punctuation and case (it keeps its
    times and probability, and takes the new spelling). A replaced run of words takes the
    time of the words it replaces; an inserted run the gap between its neighbours; both
    spread by characters, without a probability. Segments that had no word times
    (imported subtitles) get none, unless ``place_all``.
    """
    pieces = new_text.split()
    if not old:
        return _spread(pieces, start, end) if place_all and pieces else []
    matcher = difflib.SequenceMatcher(
        None, [_key(t.word) for t in old], [_key(p) for p in pieces], autojunk=False
    )
    result: list[TimedToken] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for token, piece in zip(old[i1:i2], pieces[j1:j2], strict=True):
                same = token.word.strip() == piece
                result.append(token if same else replace(token, word=" " + piece))
            continue
        if j1 == j2:
            continue  # words deleted
        if i1 < i2:
            span_start, span_end = old[i1].start, old[i2 - 1].end
        else:
            span_start = result[-1].end if result else start
            span_end = old[i1].start if i1 < len(old) else end
        span_start = max(span_start, result[-1].end if result else start)
        result.extend(_spread(pieces[j1:j2], span_start, max(span_end, span_start)))
    return result
