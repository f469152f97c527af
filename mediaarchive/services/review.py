"""Review: which transcripts still need a person's check, and moving them through the review
states (``machine`` → ``in-review`` → ``approved``; an edit of an approved transcript moves it
back to ``in-review``, in ``services.revisions``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import Asset, Event, Segment, Transcript, Word, current_segment
from mediaarchive.errors import NotFoundError, UserError
from mediaarchive.search.filters import match_events
from mediaarchive.services.history import current_user, record_change
from mediaarchive.vocabulary import REVIEW_STATES, AssetKind, AuditAction, ReviewState

__all__ = ["REVIEW_ACTIONS", "ReviewChange", "ReviewItem", "review_list", "set_review"]

#: What ``review ID --approve|--start|--reopen`` does: the state it moves to.
REVIEW_ACTIONS = {
    "approve": ReviewState.APPROVED,
    "start": ReviewState.IN_REVIEW,
    "reopen": ReviewState.IN_REVIEW,
}


@dataclass
class ReviewItem:
    """A transcript to check (``review --json`` entry)."""

    id: str
    title: str | None
    event: str | None
    revision: int
    review: str
    #: Seconds of the recording.
    duration: float | None
    #: Share of heard words below ``Settings.low_confidence_threshold`` (None: no word has
    #: a probability, e.g. imported subtitles).
    low_confidence: float | None
    #: The asset has audio and its newest transcript holds no speech at all.
    empty: bool
    #: The guards that dropped or cut something while transcribing (by name).
    guards: list[str]
    transcript: int
    created: datetime | None

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["created"] = self.created.isoformat() if self.created else None
        return document


@dataclass
class ReviewChange:
    id: str
    transcript: int
    old: str
    new: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _has_audio(asset: Asset) -> bool:
    probe = asset.probe or {}
    return bool(probe.get("has_audio", asset.kind in (AssetKind.VIDEO, AssetKind.AUDIO)))


def _guards(transcript: Transcript) -> list[str]:
    guards = (transcript.provenance or {}).get("guards") or {}
    counts = guards.get("counts") if isinstance(guards, dict) else None
    if not isinstance(counts, dict):
        return []
    return sorted(name for name, count in counts.items() if count)


def review_list(
    archive: Archive, *, event: str | None = None, state: str | None = None
) -> list[ReviewItem]:
    """Transcripts of recordings to check: empty ones first, then the oldest first.

    Args:
        event: only assets of this event (matched as every read command's ``--event``).
        state: only transcripts in this review state (default: those not approved).

    Raises:
        UserError: an unknown state.
    """
    if state is not None and state not in REVIEW_STATES:
        raise UserError(f"unknown review state {state!r}: choose {', '.join(REVIEW_STATES)}")
    threshold = archive.settings.low_confidence_threshold
    with archive.session() as session:
        query = (
            select(Asset)
            .where(Asset.kind.in_([AssetKind.VIDEO.value, AssetKind.AUDIO.value]))
            .options(selectinload(Asset.transcripts), selectinload(Asset.events))
            .order_by(Asset.id)
        )
        if event:
            query = query.where(Asset.events.any(Event.id.in_(match_events(session, event))))
        assets = [asset for asset in session.scalars(query) if asset.transcripts]
        # The newest transcript (an empty one stays non-current) and the current one.
        ids = [t.id for asset in assets for t in asset.transcripts]
        segments = dict(
            session.execute(
                select(Segment.transcript_id, func.count(Segment.id))
                .where(Segment.transcript_id.in_(ids), current_segment())
                .group_by(Segment.transcript_id)
            ).all()
        )
        heard = Word.probability.is_not(None)
        confidence = {
            transcript_id: (int(total or 0), int(low or 0))
            for transcript_id, total, low in session.execute(
                select(
                    Segment.transcript_id,
                    func.sum(case((heard, 1), else_=0)),
                    func.sum(case((heard & (Word.probability < threshold), 1), else_=0)),
                )
                .join(Word, Word.segment_id == Segment.id)
                .where(Segment.transcript_id.in_(ids), current_segment())
                .group_by(Segment.transcript_id)
            ).all()
        }
        items: list[ReviewItem] = []
        for asset in assets:
            newest = max(asset.transcripts, key=lambda t: t.id)
            empty = _has_audio(asset) and not segments.get(newest.id, 0)
            transcript = newest if empty else asset.current_transcript
            if transcript is None:
                continue  # an unfinished transcription, nothing current yet
            if transcript.review != state if state else transcript.review == ReviewState.APPROVED:
                continue
            total, low = confidence.get(transcript.id, (0, 0))
            items.append(
                ReviewItem(
                    id=asset.short_id,
                    title=asset.title or asset.filename,
                    event=asset.event.name if asset.event else None,
                    revision=transcript.revision,
                    review=transcript.review,
                    duration=transcript.duration or (asset.probe or {}).get("duration"),
                    low_confidence=round(low / total, 4) if total else None,
                    empty=empty,
                    guards=_guards(transcript),
                    transcript=transcript.id,
                    created=transcript.created_at,
                )
            )
        items.sort(key=lambda item: (not item.empty, item.created or datetime.min, item.id))
        return items


def set_review(
    archive: Archive,
    asset_id: str,
    action: str,
    *,
    by: str | None = None,
    note: str | None = None,
) -> ReviewChange:
    """Approve the asset's current transcript, start its review, or reopen an approved one.

    Raises:
        NotFoundError: no such asset, or it has no transcript.
        UserError: an unknown action, or reopening a transcript that is not approved.
    """
    if action not in REVIEW_ACTIONS:
        raise UserError(f"unknown review action {action!r}: choose approve, start or reopen")
    who = current_user(by)
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        transcript = asset.current_transcript
        if transcript is None:
            raise NotFoundError(
                f"asset {asset.short_id} has no transcript to review: transcribe it with "
                f"'mediaarchive transcribe {asset.short_id}'"
            )
        old = transcript.review
        if action == "reopen" and old != ReviewState.APPROVED:
            raise UserError(
                f"the transcript of {asset.short_id} is {old}, not approved: nothing to reopen"
            )
        new = REVIEW_ACTIONS[action]
        if old != new:
            transcript.review = new
            record_change(
                session,
                action=AuditAction.REVIEW,
                by=who,
                field="review",
                old=old,
                new=str(new),
                note=note or f"revision {transcript.revision}",
                asset=asset,
                transcript_id=transcript.id,
            )
        return ReviewChange(asset.short_id, transcript.id, old, str(new))
