"""What follows when an asset's text changes: the one place that keeps the search index and
the subtitle renditions in step with the transcripts and the OCR text.

- ``make_transcript_current``: a transcript becomes the asset's current one (a finished
  transcription, imported subtitles, and later an edit). Called by the "transcribe" step and,
  through ``services.transcripts.make_current``, by the ``transcribe`` and
  ``import-subtitles`` commands: steps sit below services, so the rule lives here and the
  service is the public use case over it.
- ``ocr_text_changed``: the OCR steps replaced an asset's image or slide text.

Both keep the asset searchable at once, whether or not the pipeline has an "index" (or
"subtitles") step after the one that changed the text.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mediaarchive.archive import Archive
from mediaarchive.db import (
    Asset,
    Rendition,
    Segment,
    Transcript,
    TranscriptRevision,
    current_segments,
)
from mediaarchive.errors import UserError
from mediaarchive.search import index_asset, index_segments
from mediaarchive.steps.subtitles import RENDITION_KIND, write_subtitle_renditions

__all__ = [
    "CurrentTranscript",
    "make_transcript_current",
    "ocr_text_changed",
    "record_first_revision",
]


@dataclass
class CurrentTranscript:
    """What making a transcript current changed."""

    transcript_id: int
    #: False when the transcript was already current (only some of its segments changed).
    switched: bool
    #: Search documents written (the asset's, or only the changed segments').
    indexed: int
    #: Labels of the subtitle renditions rendered again ("vtt", "srt"…).
    rendered: list[str] = field(default_factory=list)
    #: Labels of the subtitle renditions removed (the new transcript holds no speech).
    removed: list[str] = field(default_factory=list)


def make_transcript_current(
    archive: Archive,
    session: Session,
    asset: Asset,
    transcript: Transcript,
    *,
    changed_segments: Collection[int] | None = None,
    workdir: Path | None = None,
) -> CurrentTranscript:
    """Make ``transcript`` the asset's current one; re-index and re-render what changed.

    Older transcripts are kept, only the "current" mark moves. When another transcript was
    current, the asset is re-indexed (the old text leaves the index). When ``transcript``
    already was current, only ``changed_segments`` (ids; added, edited or deleted ones) are
    re-indexed; without them, the whole asset. Every subtitle rendition the asset has is
    rendered again from the transcript, in its format and preset.

    Runs in the caller's transaction (the caller commits).

    Raises:
        UserError: the transcript is unfinished (an interrupted transcription).
    """
    if not transcript.complete:
        raise UserError(
            f"transcript {transcript.id} of asset {asset.short_id} is unfinished: "
            f"'mediaarchive transcribe {asset.short_id}' resumes it"
        )
    session.flush()
    if changed_segments is None:  # a whole transcript (a correction recorded it already)
        record_first_revision(session, transcript)
    switched = False
    for other in session.scalars(select(Transcript).where(Transcript.asset_id == asset.id)):
        current = other.id == transcript.id
        if bool(other.current) != current:
            switched = True
            other.current = current
    session.flush()
    # The asset's transcript list may predate the new transcript or its mark.
    session.expire(asset, ["transcripts"])
    if switched or changed_segments is None:
        indexed = index_asset(session, asset)
    else:
        indexed = index_segments(session, asset, changed_segments)
    result = CurrentTranscript(transcript.id, switched, indexed)
    _rerender_subtitles(archive, session, asset, transcript, result, workdir)
    return result


def record_first_revision(session: Session, transcript: Transcript) -> None:
    """Revision 1 is the transcript as made (by its model, or imported): recorded once."""
    if session.scalar(
        select(TranscriptRevision.id).where(
            TranscriptRevision.transcript_id == transcript.id, TranscriptRevision.number == 1
        )
    ):
        return
    session.add(
        TranscriptRevision(
            transcript_id=transcript.id,
            number=1,
            author=transcript.model,
            action="import" if transcript.model.startswith("import:") else "asr",
            created_at=transcript.created_at,
        )
    )
    session.flush()


def _rerender_subtitles(
    archive: Archive,
    session: Session,
    asset: Asset,
    transcript: Transcript,
    result: CurrentTranscript,
    workdir: Path | None,
) -> None:
    renditions = session.scalars(
        select(Rendition).where(Rendition.asset_id == asset.id, Rendition.kind == RENDITION_KIND)
    ).all()
    if not renditions:
        return  # none were made (no "subtitles" step has run): nothing to follow
    has_speech = (
        session.scalar(current_segments(transcript.id).with_only_columns(Segment.id).limit(1))
        is not None
    )
    if not has_speech:
        # As the "subtitles" step makes none for a transcript without speech, none stay
        # that would show the text of a transcript that is no longer current.
        for rendition in renditions:
            result.removed.append(rendition.label)
            session.delete(rendition)
        session.flush()
        session.expire(asset, ["renditions"])
        return
    by_preset: dict[str, list[str]] = {}
    for rendition in renditions:
        params = rendition.params or {}
        preset = params.get("preset") or archive.settings.subtitle_preset
        by_preset.setdefault(preset, []).append(params.get("format") or rendition.label)
    for preset, formats in by_preset.items():
        for rendition in write_subtitle_renditions(
            archive, session, asset, formats, preset, workdir=workdir
        ):
            result.rendered.append(rendition.label)
    session.expire(asset, ["renditions"])


def ocr_text_changed(session: Session, asset: Asset) -> int:
    """The asset's OCR text was replaced: re-index the asset; returns the documents indexed."""
    session.flush()
    session.expire(asset, ["ocr_texts"])
    return index_asset(session, asset)
