"""Transcript revisions: correct the current transcript line by line, from a timed text
form, by search and replace; list, compare and revert revisions.

A correction never rewrites a segment row: the row is marked superseded by the new revision
and a new row holds the corrected text, so saving one line costs that line, and every
revision can be read again (``db.segment_at``). Saving checks that each segment being
changed is still the version that was read (optimistic concurrency: a second writer of the
same line stops with a message naming it; different lines do not conflict). The index and
the subtitle renditions follow through ``steps.sync.make_transcript_current``, for the
changed segments only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import (
    Asset,
    Segment,
    Transcript,
    TranscriptRevision,
    Word,
    current_segments,
    segment_at,
)
from mediaarchive.errors import ConflictError, NotFoundError, UserError
from mediaarchive.services.history import current_user, record_change
from mediaarchive.services.timed_text import (
    TimedToken,
    format_stamp,
    parse_form,
    render_form,
    retime_words,
)
from mediaarchive.steps.sync import make_transcript_current, record_first_revision
from mediaarchive.vocabulary import AuditAction, ReviewState, RevisionAction

__all__ = [
    "RevisionSaved",
    "commit_revision",
    "check_revision",
    "edit_form",
    "new_version",
    "require_current",
    "revert",
    "rows_at",
    "save_form",
    "save_segment",
]


@dataclass
class RevisionSaved:
    """What a save made (``transcript edit|revert --json``)."""

    id: str
    transcript: int
    #: The revision the transcript reads as now (unchanged when nothing differed).
    revision: int
    parent: int | None
    #: Segments changed, added back or removed.
    changed: int
    review: str
    #: Search documents written again (the changed segments').
    indexed: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# --- Saving a revision: the one write path ---------------------------------------------------


def require_current(session: Session, asset: Asset) -> Transcript:
    transcript = session.scalar(
        select(Transcript)
        .where(Transcript.asset_id == asset.id, Transcript.current.is_(True))
        .order_by(Transcript.id.desc())
        .limit(1)
    )
    if transcript is None:
        raise NotFoundError(
            f"asset {asset.short_id} has no transcript to correct: transcribe it with "
            f"'mediaarchive transcribe {asset.short_id}'"
        )
    return transcript


def _tokens(row: Segment) -> list[TimedToken]:
    return [TimedToken(w.start, w.end, w.word, w.probability) for w in row.words]


def new_version(row: Segment, text: str) -> Segment:
    """A new version of ``row`` saying ``text``: unchanged words keep their times."""
    tokens = retime_words(_tokens(row), text, row.start, row.end)
    heard = [t.probability for t in tokens if t.probability is not None]
    version = Segment(
        transcript_id=row.transcript_id,
        start=row.start,
        end=row.end,
        text=text,
        confidence=round(sum(heard) / len(heard), 4) if heard else None,
    )
    version.words = [
        Word(start=t.start, end=t.end, word=t.word, probability=t.probability) for t in tokens
    ]
    return version


def commit_revision(
    archive: Archive,
    session: Session,
    asset: Asset,
    transcript: Transcript,
    *,
    retired: Sequence[tuple[Segment, str]],
    added: Sequence[Segment],
    by: str,
    action: RevisionAction,
    audit: AuditAction,
    note: str | None = None,
) -> RevisionSaved:
    """Make a new revision: retire these rows (each with its label for a conflict message),
    add these (unsaved) rows; record, review, re-index and re-render.

    Runs in the caller's transaction (the caller commits; a conflict rolls it all back).

    Raises:
        ConflictError: a row to retire is no longer current (someone saved it meanwhile).
    """
    # Taking the transcript row first serialises writers of one transcript (its lock on
    # PostgreSQL, the write lock on SQLite): each gets the next number.
    session.execute(
        update(Transcript)
        .where(Transcript.id == transcript.id)
        .values(revision=Transcript.revision + 1)
        .execution_options(synchronize_session=False)
    )
    number = session.scalar(select(Transcript.revision).where(Transcript.id == transcript.id))
    assert number is not None
    if number == 2:
        record_first_revision(session, transcript)
    changed_ids: list[int] = []
    for row, label in retired:
        done = session.execute(
            update(Segment)
            .where(Segment.id == row.id, Segment.superseded_in.is_(None))
            .values(superseded_in=number)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError(
                f"{label} of asset {asset.short_id} was saved by someone else since it was "
                f"read (the transcript is at revision {number - 1} now); nothing was saved: "
                "read it again and redo the change"
            )
        changed_ids.append(row.id)
    for row in added:
        row.revision = number
        session.add(row)
    session.flush()
    changed_ids += [row.id for row in added]
    session.add(
        TranscriptRevision(
            transcript_id=transcript.id,
            number=number,
            parent=number - 1,
            author=by,
            action=str(action),
            note=note,
        )
    )
    session.expire(transcript)
    record_change(
        session,
        action=audit,
        by=by,
        field="transcript",
        old=number - 1,
        new=number,
        note=note or f"{max(len(retired), len(added))} segment(s)",
        asset=asset,
        transcript_id=transcript.id,
    )
    if transcript.review == ReviewState.APPROVED:
        transcript.review = ReviewState.IN_REVIEW
        record_change(
            session,
            action=AuditAction.REVIEW,
            by=by,
            field="review",
            old=str(ReviewState.APPROVED),
            new=str(ReviewState.IN_REVIEW),
            note=f"revision {number} changed an approved transcript",
            asset=asset,
            transcript_id=transcript.id,
        )
    change = make_transcript_current(
        archive, session, asset, transcript, changed_segments=changed_ids
    )
    return RevisionSaved(
        asset.short_id,
        transcript.id,
        number,
        number - 1,
        max(len(retired), len(added)),
        transcript.review,
        change.indexed,
    )


def _unchanged(transcript: Transcript, asset: Asset) -> RevisionSaved:
    return RevisionSaved(
        asset.short_id, transcript.id, transcript.revision, None, 0, transcript.review
    )


def _edit_rows(
    archive: Archive,
    session: Session,
    asset: Asset,
    transcript: Transcript,
    edits: Sequence[tuple[Segment, str, str]],
    *,
    by: str,
    action: RevisionAction,
    audit: AuditAction,
    note: str | None,
) -> RevisionSaved:
    """Save (row, new text, label) edits; an empty text removes the segment."""
    edits = [(row, text, label) for row, text, label in edits if text != row.text]
    if not edits:
        return _unchanged(transcript, asset)
    return commit_revision(
        archive,
        session,
        asset,
        transcript,
        retired=[(row, label) for row, _, label in edits],
        added=[new_version(row, text) for row, text, _ in edits if text],
        by=by,
        action=action,
        audit=audit,
        note=note,
    )


# --- The timed text form ---------------------------------------------------------------------


def rows_at(session: Session, transcript_id: int, number: int) -> list[Segment]:
    return list(
        session.scalars(
            select(Segment)
            .where(Segment.transcript_id == transcript_id, segment_at(number))
            .options(selectinload(Segment.words))
            .order_by(Segment.start, Segment.id)
        )
    )


def edit_form(archive: Archive, asset_id: str) -> str:
    """The current transcript as a timed text form (``transcript edit`` opens it).

    Raises:
        NotFoundError: no such asset, or it has no transcript.
    """
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        transcript = require_current(session, asset)
        rows = session.scalars(current_segments(transcript.id)).all()
        return render_form(
            asset.short_id,
            asset.title or asset.filename,
            transcript.id,
            transcript.revision,
            [(row.start, row.text) for row in rows],
        )


def save_form(
    archive: Archive,
    asset_id: str,
    text: str,
    *,
    by: str | None = None,
    note: str | None = None,
) -> RevisionSaved:
    """Save an edited timed text form as a new revision (nothing when no line changed).

    Raises:
        UserError: a line's time stamp was removed, broken or changed, lines were added or
            removed, or the header is missing (each names the line); nothing is saved.
        ConflictError: a changed line was saved by someone else since the form was read.
    """
    form_asset, form_transcript, revision, lines = parse_form(text)
    who = current_user(by)
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        if form_asset is not None and not asset.sha256.startswith(form_asset):
            raise UserError(
                f"the form is of asset {form_asset}, not {asset.short_id}: nothing was saved"
            )
        if revision is None or form_transcript is None:
            raise UserError(
                "the form has no '# revision N of transcript T' header line: start from "
                f"'mediaarchive transcript edit {asset.short_id}'; nothing was saved"
            )
        transcript = require_current(session, asset)
        if transcript.id != form_transcript or revision > transcript.revision:
            raise ConflictError(
                f"the form was read from transcript {form_transcript} revision {revision}, but "
                f"transcript {transcript.id} revision {transcript.revision} is current now: "
                "nothing was saved; edit it again"
            )
        rows = rows_at(session, transcript.id, revision)
        for line, row in zip(lines, rows, strict=False):
            if line.stamp != format_stamp(row.start):
                raise UserError(
                    f"line {line.number}: time stamp [{line.stamp}] is not the segment's "
                    f"[{format_stamp(row.start)}] (segment times stay; a line may not be added "
                    "or removed, empty its text instead); nothing was saved"
                )
        if len(lines) != len(rows):
            where = lines[len(rows)].number if len(lines) > len(rows) else None
            raise UserError(
                (f"line {where}: " if where else "")
                + f"the form has {len(lines)} lines, revision {revision} has {len(rows)} "
                "segments (a line may not be added or removed); nothing was saved"
            )
        edits = [
            (row, line.text, f"line {line.number} ([{line.stamp}])")
            for line, row in zip(lines, rows, strict=True)
        ]
        return _edit_rows(
            archive,
            session,
            asset,
            transcript,
            edits,
            by=who,
            action=RevisionAction.EDIT,
            audit=AuditAction.TRANSCRIPT_EDIT,
            note=note,
        )


def save_segment(
    archive: Archive,
    asset_id: str,
    segment_id: int,
    text: str,
    *,
    by: str | None = None,
    note: str | None = None,
) -> RevisionSaved:
    """Save one corrected line: ``segment_id`` is the version that was read (its row id).

    Raises:
        NotFoundError: the segment is not one of the asset's current transcript.
        ConflictError: it was saved by someone else since it was read.
    """
    who = current_user(by)
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        transcript = require_current(session, asset)
        row = session.get(Segment, segment_id)
        if row is None or row.transcript_id != transcript.id:
            raise NotFoundError(
                f"asset {asset.short_id}'s current transcript has no segment {segment_id}"
            )
        label = f"the line at [{format_stamp(row.start)}]"
        if row.superseded_in is not None:
            raise ConflictError(
                f"{label} of asset {asset.short_id} was saved by someone else since it was "
                "read; nothing was saved: read it again and redo the change"
            )
        return _edit_rows(
            archive,
            session,
            asset,
            transcript,
            [(row, " ".join(text.split()), label)],
            by=who,
            action=RevisionAction.EDIT,
            audit=AuditAction.TRANSCRIPT_EDIT,
            note=note,
        )


# --- Revert -------------------------------------------------


def check_revision(transcript: Transcript, number: int) -> None:
    if not 1 <= number <= transcript.revision:
        raise NotFoundError(
            f"transcript {transcript.id} has no revision {number}: it has 1 to "
            f"{transcript.revision} ('mediaarchive transcript history' lists them)"
        )


def revert(
    archive: Archive,
    asset_id: str,
    number: int,
    *,
    by: str | None = None,
    note: str | None = None,
) -> RevisionSaved:
    """Make revision ``number`` current again, as a new revision (nothing is lost).

    Raises:
        NotFoundError: no such asset, transcript or revision.
    """
    who = current_user(by)
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        transcript = require_current(session, asset)
        check_revision(transcript, number)
        current = session.scalars(current_segments(transcript.id)).all()
        wanted = rows_at(session, transcript.id, number)
        wanted_ids = {row.id for row in wanted}
        retired = [
            (row, f"the line at [{format_stamp(row.start)}]")
            for row in current
            if row.id not in wanted_ids
        ]
        added = [_copy(row) for row in wanted if row.superseded_in is not None]
        if not retired and not added:
            return _unchanged(transcript, asset)
        return commit_revision(
            archive,
            session,
            asset,
            transcript,
            retired=retired,
            added=added,
            by=who,
            action=RevisionAction.REVERT,
            audit=AuditAction.TRANSCRIPT_REVERT,
            note=note or f"back to revision {number}",
        )


def _copy(row: Segment) -> Segment:
    copy = Segment(
        transcript_id=row.transcript_id,
        start=row.start,
        end=row.end,
        text=row.text,
        confidence=row.confidence,
    )
    copy.words = [
        Word(start=w.start, end=w.end, word=w.word, probability=w.probability) for w in row.words
    ]
    return copy
