"""Import of existing (human) SubRip and WebVTT subtitles as an asset's current transcript.

Parsing is left to the well-kept libraries (``srt``, ``webvtt-py``). Each cue becomes a
segment without word timings; older transcripts are kept, only the "current" mark moves.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import srt
import webvtt
from sqlalchemy.orm import Session

from mediaarchive.db import Asset, Segment, Transcript
from mediaarchive.errors import NotFoundError, SubtitleError
from mediaarchive.search import index_asset

if TYPE_CHECKING:
    from mediaarchive.store import Store

_TAG = re.compile(r"<[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")


@dataclass(frozen=True)
class ImportedCue:
    """One cue read from a subtitle file (text without markup)."""

    start: float
    end: float
    text: str


def _decode(data: bytes, name: str) -> str:
    # Human subtitle files are often Windows-1252 (older German SRTs); UTF-8 first.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SubtitleError(f"{name} is neither UTF-8 nor Windows-1252 text: save it as UTF-8")


def _clean(text: str) -> str:
    text = _ASS_OVERRIDE.sub("", _TAG.sub("", text))
    lines = [" ".join(html.unescape(line).split()) for line in text.splitlines()]
    return " ".join(line for line in lines if line)


def _seconds(value: timedelta) -> float:
    return value.total_seconds()


def detect_format(name: str, text: str) -> str:
    """``srt`` or ``vtt``, by the file's header, else by its extension."""
    if text.lstrip("\ufeff").startswith("WEBVTT"):
        return "vtt"
    suffix = Path(name).suffix.lower()
    if suffix in (".vtt", ".webvtt"):
        return "vtt"
    return "srt"


def parse_subtitles(text: str, name: str = "subtitles") -> tuple[str, list[ImportedCue]]:
    """The format and the cues of a SubRip or WebVTT document.

    Raises:
        SubtitleError: the text is not valid SubRip/WebVTT or holds no cue.
    """
    fmt = detect_format(name, text)
    cues: list[ImportedCue] = []
    try:
        if fmt == "vtt":
            # strict: a malformed cue is an error, not a cue silently dropped
            document = webvtt.from_buffer(io.StringIO(text), strict=True)
            for caption in document.captions:
                cues.append(
                    ImportedCue(
                        caption.start_time.in_milliseconds() / 1000,
                        caption.end_time.in_milliseconds() / 1000,
                        _clean(caption.raw_text),
                    )
                )
        else:
            for subtitle in srt.parse(text):
                cues.append(
                    ImportedCue(
                        _seconds(subtitle.start), _seconds(subtitle.end), _clean(subtitle.content)
                    )
                )
    except (srt.SRTParseError, webvtt.errors.MalformedFileError,
            webvtt.errors.MalformedCaptionError, ValueError) as exc:
        kind = "WebVTT" if fmt == "vtt" else "SubRip (SRT)"
        raise SubtitleError(f"{name} is not a valid {kind} file: {exc}") from exc
    cues = [cue for cue in cues if cue.text]
    if not cues:
        raise SubtitleError(f"{name} holds no subtitle cue with text")
    cues.sort(key=lambda cue: (cue.start, cue.end))
    return fmt, cues


def import_subtitles(
    session: Session,
    asset: Asset,
    path: Path,
    *,
    store: Store | None = None,
    language: str | None = None,
) -> Transcript:
    """Make a SubRip/WebVTT file the asset's current transcript (older ones are kept).

    Args:
        session: the open session the asset belongs to.
        asset: the asset the subtitles belong to.
        path: the ``.srt`` or ``.vtt`` file.
        store: when given, the file itself is kept in the archive store (provenance).
        language: the subtitles' language (default: the asset's, else the newest transcript's).

    Returns:
        The new transcript, model ``import:<filename>``; its segments have no word timings.

    Raises:
        NotFoundError: the file does not exist.
        SubtitleError: it is not valid subtitles.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFoundError(f"subtitle file {path} does not exist") from exc
    except OSError as exc:
        raise SubtitleError(f"cannot read subtitle file {path}: {exc}") from exc
    fmt, cues = parse_subtitles(_decode(data, path.name), path.name)
    sha256 = hashlib.sha256(data).hexdigest()
    provenance = {
        "source": "import",
        "filename": path.name,
        "format": fmt,
        "sha256": sha256,
        "size": len(data),
        "cues": len(cues),
    }
    if store is not None:
        provenance["blob_key"] = store.put_file(path, sha256).key
    previous = asset.current_transcript
    if language is None:
        language = asset.language or (previous.language if previous else None)
    for transcript in asset.transcripts:
        transcript.current = False
    transcript = Transcript(
        asset=asset,
        model=f"import:{path.name}",
        language=language,
        provenance=provenance,
        duration=max(cue.end for cue in cues),
        complete=True,
        current=True,
    )
    transcript.segments = [
        Segment(start=cue.start, end=max(cue.end, cue.start), text=cue.text, confidence=None)
        for cue in cues
    ]
    session.add(transcript)
    session.flush()
    # The contract's one crossing between the two parts: imported text must be searchable.
    index_asset(session, asset)
    return transcript
