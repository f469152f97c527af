"""Subtitles of an archived asset: its current transcript turned into cues and files."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, object_session, selectinload

from mediaarchive.db import Asset, Segment, Transcript, current_segments
from mediaarchive.errors import NotFoundError, UserError
from mediaarchive.subtitles.checker import CueProblem, check_cues
from mediaarchive.subtitles.cues import Cue, build_cues
from mediaarchive.subtitles.formats import FORMATS, to_json, to_srt, to_text, to_vtt
from mediaarchive.subtitles.presets import Preset, get_preset
from mediaarchive.subtitles.words import TimedWord, spaced_words, words_from_segment_text


def current_transcript(asset: Asset) -> Transcript:
    """The asset's current transcript.

    Raises:
        NotFoundError: the asset has none yet; the message says how to get one.
    """
    transcript = asset.current_transcript
    if transcript is None:
        raise NotFoundError(
            f"asset {asset.short_id} ({asset.title or asset.filename}) has no transcript: "
            f"run 'mediaarchive transcribe {asset.short_id}' or import subtitles with "
            f"'mediaarchive import-subtitles {asset.short_id} FILE'"
        )
    return transcript


def transcript_words(transcript: Transcript) -> list[TimedWord]:
    """The transcript's words in order; segments without words get estimated word times."""
    session = object_session(transcript)
    if session is not None and transcript.id is not None:
        # Two queries for the whole transcript instead of one per segment.
        segments = session.scalars(
            current_segments(transcript.id).options(selectinload(Segment.words))
        ).all()
    else:
        segments = list(transcript.segments)
    words: list[TimedWord] = []
    for index, segment in enumerate(segments):
        if segment.words:
            timed = [TimedWord(word.start, word.end, word.word, index) for word in segment.words]
            # The segment's text says where the spaces are, whatever made the words.
            words.extend(spaced_words(timed, segment.text))
        else:
            words.extend(words_from_segment_text(segment.start, segment.end, segment.text, index))
    return words


def asset_cues(asset: Asset, preset: str | Preset | None = None) -> list[Cue]:
    """Cues of the asset's current transcript, built to the preset."""
    return build_cues(transcript_words(current_transcript(asset)), get_preset(preset))


def check_subtitles(
    session: Session, asset: Asset, preset: str | Preset | None = None
) -> list[CueProblem]:
    """Every cue of the asset's subtitles that breaks the preset, and why."""
    resolved = get_preset(preset)
    return check_cues(asset_cues(asset, resolved), resolved)


def segments_json(transcript: Transcript) -> list[dict[str, Any]]:
    """Segments with their words, as ``show --json`` has them."""
    return [
        {
            "id": segment.id,
            "start": segment.start,
            "end": segment.end,
            "text": segment.text,
            "confidence": segment.confidence,
            "words": [
                {"start": w.start, "end": w.end, "word": w.word, "probability": w.probability}
                for w in segment.words
            ],
        }
        for segment in transcript.segments
    ]


def transcript_document(asset: Asset, transcript: Transcript) -> dict[str, Any]:
    """The transcript as JSON: provenance, segments and words (as ``show --json`` has them)."""
    return {
        "asset_id": asset.short_id,
        "title": asset.title,
        "id": transcript.id,
        "model": transcript.model,
        "language": transcript.language,
        "created": transcript.created_at.isoformat() if transcript.created_at else None,
        "current": transcript.current,
        "revision": transcript.revision,
        "review": transcript.review,
        "duration": transcript.duration,
        "provenance": transcript.provenance or {},
        "segments": segments_json(transcript),
    }


def render_subtitles(
    session: Session,
    asset: Asset,
    fmt: str = "vtt",
    preset: str | Preset | None = None,
    *,
    cues: list[Cue] | None = None,
) -> str:
    """The asset's current transcript as a subtitle or transcript file.

    Args:
        session: the open database session the asset belongs to.
        asset: the asset.
        fmt: ``vtt``, ``srt``, ``txt`` or ``json``.
        preset: a preset name or ``Preset`` (``None``: ``default``); used by vtt and srt.
        cues: the asset's cues built to this preset already (``asset_cues``), so that
            several formats of one transcript build them once.

    Raises:
        UserError: unknown format or preset.
        NotFoundError: the asset has no transcript.
    """
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UserError(f"unknown subtitle format {fmt!r}: choose one of {', '.join(FORMATS)}")
    resolved = get_preset(preset)
    transcript = current_transcript(asset)
    if fmt == "json":
        return to_json(transcript_document(asset, transcript))
    if fmt == "txt":
        return to_text(transcript_words(transcript), title=asset.title)
    if cues is None:
        cues = build_cues(transcript_words(transcript), resolved)
    if fmt == "srt":
        return to_srt(cues)
    return to_vtt(cues, language=transcript.language)
