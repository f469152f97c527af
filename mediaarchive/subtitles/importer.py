"""Import of existing (human) SubRip and WebVTT subtitles: read, parse, build a transcript.

Parsing is left to the well-kept libraries (``srt``, ``webvtt-py``). Each cue becomes a
segment without word timings. Keeping the file, making the transcript current, indexing
and rendering are the use case's (``services.transcripts.import_subtitles``), not this
package's.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import srt
import webvtt

from mediaarchive.db import Asset, Segment, Transcript
from mediaarchive.errors import NotFoundError, SubtitleError

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
    except (
        srt.SRTParseError,
        webvtt.errors.MalformedFileError,
        webvtt.errors.MalformedCaptionError,
        ValueError,
    ) as exc:
        kind = "WebVTT" if fmt == "vtt" else "SubRip (SRT)"
        raise SubtitleError(f"{name} is not a valid {kind} file: {exc}") from exc
    cues = [cue for cue in cues if cue.text]
    if not cues:
        raise SubtitleError(f"{name} holds no subtitle cue with text")
    cues.sort(key=lambda cue: (cue.start, cue.end))
    return fmt, cues


@dataclass(frozen=True)
class SubtitleFile:
    """A SubRip/WebVTT file, read and parsed."""

    path: Path
    format: str
    cues: list[ImportedCue]
    sha256: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def read_subtitle_file(path: Path) -> SubtitleFile:
    """Read and parse a ``.srt`` or ``.vtt`` file (UTF-8 or Windows-1252).

    Raises:
        NotFoundError: the file does not exist.
        SubtitleError: it cannot be read or is not valid subtitles.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFoundError(f"subtitle file {path} does not exist") from exc
    except OSError as exc:
        raise SubtitleError(f"cannot read subtitle file {path}: {exc}") from exc
    fmt, cues = parse_subtitles(_decode(data, path.name), path.name)
    return SubtitleFile(path, fmt, cues, hashlib.sha256(data).hexdigest(), len(data))


def imported_transcript(
    asset: Asset,
    subtitles: SubtitleFile,
    *,
    language: str | None = None,
    blob_key: str | None = None,
) -> Transcript:
    """A new transcript of ``asset`` made of the file's cues (not yet current).

    Args:
        asset: the asset the subtitles belong to.
        subtitles: the parsed file.
        language: the subtitles' language (default: the asset's, else the current
            transcript's).
        blob_key: where the file itself is kept in the archive store (provenance).

    Returns:
        The transcript, model ``import:<filename>``, its segments without word timings;
        it belongs to ``asset``, so it is in the asset's session once that one flushes.
    """
    provenance = {
        "source": "import",
        "filename": subtitles.name,
        "format": subtitles.format,
        "sha256": subtitles.sha256,
        "size": subtitles.size,
        "cues": len(subtitles.cues),
    }
    if blob_key is not None:
        provenance["blob_key"] = blob_key
    previous = asset.current_transcript
    if language is None:
        language = asset.language or (previous.language if previous else None)
    transcript = Transcript(
        asset=asset,
        model=f"import:{subtitles.name}",
        language=language,
        provenance=provenance,
        duration=max(cue.end for cue in subtitles.cues),
        complete=True,
        current=False,
    )
    transcript.segments = [
        Segment(start=cue.start, end=max(cue.end, cue.start), text=cue.text, confidence=None)
        for cue in subtitles.cues
    ]
    return transcript
