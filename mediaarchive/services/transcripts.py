"""Transcripts: transcribe an asset, import subtitles, make a transcript current, read it.

What happens when a transcript becomes current (the mark moves, the index and the subtitle
renditions follow) is written once, in ``mediaarchive.steps.sync.make_transcript_current``:
the "transcribe" step needs the same rule, and steps sit below services. The functions here
are the use cases over it, for the CLI, the web page, the workers and the demo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import (
    Asset,
    Segment,
    Transcript,
    Word,
    current_segment,
    current_segments,
)
from mediaarchive.errors import NotFoundError
from mediaarchive.pipeline.progress import Reporter
from mediaarchive.services.history import current_user
from mediaarchive.services.revisions import commit_revision
from mediaarchive.services.timed_text import TimedToken, format_stamp, retime_words
from mediaarchive.steps.sync import make_transcript_current
from mediaarchive.steps.transcribe import check_transcribable, transcribe_into
from mediaarchive.subtitles import SubtitleFile, imported_transcript, read_subtitle_file
from mediaarchive.vocabulary import AuditAction, RevisionAction

__all__ = [
    "CurrentTranscript",
    "ImportedTranscript",
    "SegmentText",
    "TranscriptView",
    "TranscriptionSummary",
    "current_transcript",
    "import_subtitles",
    "make_current",
    "transcribe",
]


@dataclass
class TranscriptionSummary:
    """What ``transcribe`` made (``mediaarchive transcribe --json``)."""

    id: str
    transcript: int
    model: str
    language: str | None
    language_probability: float | None
    segments: int
    #: Seconds of audio (0 when the asset has no audio stream).
    duration: float | None
    #: Seconds the transcription took, over all its runs (None: nothing was decoded).
    seconds: float | None
    rtf: float | None
    #: Share of the speech heard that recognised words cover (None: no speech heard).
    covered_share: float | None = None
    #: Share of words below the low-confidence threshold (None: no words).
    low_confidence_share: float | None = None
    #: What the user should know (e.g. most of the heard speech was not recognised).
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportedTranscript:
    """The revision (or, for an asset without a transcript, the transcript) an imported
    subtitle file became (``import-subtitles --json``)."""

    id: int
    asset_id: str
    model: str
    language: str | None
    segments: int
    current: bool
    revision: int = 1
    #: Words that kept the times (and probabilities) the speech recognition gave them.
    kept_words: int = 0
    #: Words placed between their neighbours (no probability).
    placed_words: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CurrentTranscript:
    """What making a transcript current changed."""

    asset_id: str
    transcript: int
    #: False when it already was current (then only the changed segments were re-indexed).
    switched: bool
    #: Search documents written.
    indexed: int
    #: Subtitle renditions rendered again, by label ("vtt", "srt"…), and removed.
    rendered: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class SegmentText:
    start: float
    end: float
    text: str


@dataclass
class TranscriptView:
    """An asset's current transcript: how it was made, and its text with times."""

    asset_id: str
    title: str | None
    #: The first event the asset was ingested under.
    event: str | None
    id: int
    model: str
    language: str | None
    duration: float | None
    provenance: dict[str, Any]
    segments: list[SegmentText]


def transcribe(
    archive: Archive,
    asset_id: str,
    *,
    model: str | None = None,
    language: str | None = None,
    glossary: Path | None = None,
    reporter: Reporter | None = None,
) -> TranscriptionSummary:
    """(Re)transcribe one asset now; the new transcript becomes current, older ones stay.

    An interrupted transcription with the same model and options is resumed.

    Args:
        archive: the archive.
        asset_id: the asset's id (at least 6 hex digits).
        model: a model name or folder (default: the ``model`` setting).
        language: the spoken language, or ``auto`` (default: the asset's, else the setting).
        glossary: a file of names and jargon to prompt with.
        reporter: shows the progress (``services.progress.make_reporter()``: a bar on a
            terminal); it is closed when the transcription ends.

    Raises:
        NotFoundError: no such asset.
        UserError: the asset is not video or audio (nothing is written).
        TranscriptionError: it has no speech audio yet, or the model fails.
    """
    try:
        with archive.session() as session:
            asset = find_asset(session, asset_id)
            check_transcribable(asset)
            short_id = asset.short_id
            if reporter is not None:
                reporter.step_started(0, short_id, "transcribe")
            try:
                transcript = transcribe_into(
                    archive,
                    session,
                    asset,
                    model=model,
                    language=language,
                    glossary=glossary,
                    threads=archive.settings.total_threads,
                    progress=(
                        None
                        if reporter is None
                        else lambda done, total, unit: reporter.step_progress(0, done, total, unit)
                    ),
                    checkpoint=lambda **_: session.commit(),
                )
            except Exception as exc:
                if reporter is not None:
                    reporter.step_finished(0, short_id, "transcribe", "failed", None, str(exc))
                raise
            segments = (
                session.scalar(
                    select(func.count(Segment.id)).where(
                        Segment.transcript_id == transcript.id, current_segment()
                    )
                )
                or 0
            )
            provenance = transcript.provenance or {}
            return TranscriptionSummary(
                id=short_id,
                transcript=transcript.id,
                model=transcript.model,
                language=transcript.language,
                language_probability=transcript.language_probability,
                segments=segments,
                duration=transcript.duration,
                seconds=provenance.get("processing_seconds"),
                rtf=provenance.get("real_time_factor"),
                covered_share=(provenance.get("coverage") or {}).get("covered_share"),
                low_confidence_share=provenance.get("low_confidence_share"),
                warnings=list(provenance.get("warnings") or []),
            )
    finally:
        close = getattr(reporter, "close", None)
        if close is not None:
            close()


def import_subtitles(
    archive: Archive,
    asset_id: str,
    path: Path,
    *,
    language: str | None = None,
    by: str | None = None,
    note: str | None = None,
) -> ImportedTranscript:
    """Make a SubRip/WebVTT file the asset's current text.

    With a current transcript, the file becomes its next revision, like any correction:
    where a cue's text matches the words recognised in the same time span, those words keep
    their times and probabilities; the others are placed between them by characters.
    Without one, it becomes the asset's transcript (revision 1, no word times). The file
    itself is kept in the archive store (its key is in the provenance); the index and the
    subtitle renditions follow.

    Raises:
        NotFoundError: no such asset, or the file does not exist.
        SubtitleError: the file is not valid subtitles.
    """
    subtitles = read_subtitle_file(path)
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        blob = archive.store.put_file(subtitles.path, subtitles.sha256)
        current = asset.current_transcript
        if current is not None:
            return _import_as_revision(
                archive, session, asset, current, subtitles, blob.key, language, by, note
            )
        transcript = imported_transcript(asset, subtitles, language=language, blob_key=blob.key)
        session.add(transcript)
        session.flush()
        make_transcript_current(archive, session, asset, transcript)
        return ImportedTranscript(
            id=transcript.id,
            asset_id=asset.short_id,
            model=transcript.model,
            language=transcript.language,
            segments=len(subtitles.cues),
            current=bool(transcript.current),
        )


def _import_as_revision(
    archive: Archive,
    session: Session,
    asset: Asset,
    transcript: Transcript,
    subtitles: SubtitleFile,
    blob_key: str,
    language: str | None,
    by: str | None,
    note: str | None,
) -> ImportedTranscript:
    rows = list(
        session.scalars(current_segments(transcript.id).options(selectinload(Segment.words)))
    )
    heard = sorted(
        (TimedToken(w.start, w.end, w.word, w.probability) for row in rows for w in row.words),
        key=lambda token: token.start,
    )
    retired = [(row, f"the line at [{format_stamp(row.start)}]") for row in rows]
    added: list[Segment] = []
    kept = placed = 0
    used = 0
    for cue in subtitles.cues:
        end = max(cue.end, cue.start)
        # The recognised words spoken during the cue (each word belongs to one cue).
        while used < len(heard) and (heard[used].start + heard[used].end) / 2 < cue.start:
            used += 1
        span: list[TimedToken] = []
        while used < len(heard) and (heard[used].start + heard[used].end) / 2 < end:
            span.append(heard[used])
            used += 1
        text = " ".join(cue.text.split())
        tokens = retime_words(span, text, cue.start, end, place_all=True)
        probabilities = [t.probability for t in tokens if t.probability is not None]
        kept += len(probabilities)
        placed += len(tokens) - len(probabilities)
        segment = Segment(
            transcript_id=transcript.id,
            start=cue.start,
            end=end,
            text=text,
            confidence=round(sum(probabilities) / len(probabilities), 4) if probabilities else None,
        )
        segment.words = [
            Word(start=t.start, end=t.end, word=t.word, probability=t.probability) for t in tokens
        ]
        added.append(segment)
    provenance = dict(transcript.provenance or {})
    imports = list(provenance.get("imports") or [])
    imports.append(
        {
            "revision": transcript.revision + 1,
            "filename": subtitles.name,
            "format": subtitles.format,
            "sha256": subtitles.sha256,
            "size": subtitles.size,
            "cues": len(subtitles.cues),
            "blob_key": blob_key,
        }
    )
    provenance["imports"] = imports
    transcript.provenance = provenance
    if language:
        transcript.language = language
    saved = commit_revision(
        archive,
        session,
        asset,
        transcript,
        retired=retired,
        added=added,
        by=current_user(by),
        action=RevisionAction.IMPORT,
        audit=AuditAction.TRANSCRIPT_IMPORT,
        note=note or f"imported {subtitles.name}",
    )
    return ImportedTranscript(
        id=transcript.id,
        asset_id=asset.short_id,
        model=transcript.model,
        language=transcript.language,
        segments=len(subtitles.cues),
        current=True,
        revision=saved.revision,
        kept_words=kept,
        placed_words=placed,
    )


def make_current(
    archive: Archive,
    asset_id: str,
    transcript_id: int,
    *,
    changed_segments: Sequence[int] | None = None,
) -> CurrentTranscript:
    """Make one of the asset's transcripts its current one; re-index and re-render.

    Args:
        archive: the archive.
        asset_id: the asset's id (at least 6 hex digits).
        transcript_id: one of the asset's transcripts.
        changed_segments: when the transcript already is current and only these segments
            (ids) were added, edited or deleted, only they are re-indexed.

    Raises:
        NotFoundError: no such asset, or the transcript is not one of its own.
        UserError: the transcript is unfinished (an interrupted transcription).
    """
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        transcript = session.get(Transcript, transcript_id)
        if transcript is None or transcript.asset_id != asset.id:
            raise NotFoundError(
                f"asset {asset.short_id} has no transcript {transcript_id}: "
                f"'mediaarchive show {asset.short_id} --json' lists its transcripts"
            )
        change = make_transcript_current(
            archive, session, asset, transcript, changed_segments=changed_segments
        )
        return CurrentTranscript(
            asset.short_id,
            change.transcript_id,
            change.switched,
            change.indexed,
            change.rendered,
            change.removed,
        )


def current_transcript(archive: Archive, asset_id: str) -> TranscriptView | None:
    """The asset's current transcript, or None when it has none yet.

    Raises:
        NotFoundError: no such asset.
    """
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        transcript = asset.current_transcript
        if transcript is None:
            return None
        return TranscriptView(
            asset_id=asset.short_id,
            title=asset.title or asset.filename,
            event=asset.event.name if asset.event else None,
            id=transcript.id,
            model=transcript.model,
            language=transcript.language,
            duration=transcript.duration,
            provenance=dict(transcript.provenance or {}),
            segments=[SegmentText(s.start, s.end, s.text) for s in transcript.segments],
        )
