"""Reading a transcript's revisions: their list (``transcript history``) and the word-level
differences between two of them (``transcript diff``)."""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import Segment, TranscriptRevision
from mediaarchive.services.revisions import check_revision, require_current, rows_at
from mediaarchive.vocabulary import RevisionAction

__all__ = ["DiffLine", "RevisionView", "TranscriptDiff", "transcript_diff", "transcript_history"]


@dataclass
class RevisionView:
    """One revision (``transcript history --json`` entry)."""

    number: int
    parent: int | None
    author: str | None
    action: str
    note: str | None
    time: datetime | None
    #: Segment versions this revision introduced and retired.
    added: int
    removed: int
    current: bool

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["time"] = self.time.isoformat() if self.time else None
        return document


@dataclass
class DiffLine:
    """One segment that reads differently in two revisions."""

    start: float
    end: float
    old: str | None
    new: str | None
    #: Word-level changes: ``[-old-]{+new+}`` marks inside the text.
    marked: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TranscriptDiff:
    id: str
    transcript: int
    old: int
    new: int
    lines: list[DiffLine] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "transcript": self.transcript,
            "old": self.old,
            "new": self.new,
            "lines": [line.to_json() for line in self.lines],
        }


def transcript_history(archive: Archive, asset_id: str) -> list[RevisionView]:
    """The revisions of the asset's current transcript, oldest first.

    Raises:
        NotFoundError: no such asset, or it has no transcript.
    """
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        transcript = require_current(session, asset)
        added = dict(
            session.execute(
                select(Segment.revision, func.count(Segment.id))
                .where(Segment.transcript_id == transcript.id)
                .group_by(Segment.revision)
            ).all()
        )
        removed = dict(
            session.execute(
                select(Segment.superseded_in, func.count(Segment.id))
                .where(Segment.transcript_id == transcript.id, Segment.superseded_in.is_not(None))
                .group_by(Segment.superseded_in)
            ).all()
        )
        rows = list(transcript.revisions) or [
            TranscriptRevision(
                number=1,
                parent=None,
                author=transcript.model,
                action=str(RevisionAction.ASR),
                created_at=transcript.created_at,
            )
        ]
        return [
            RevisionView(
                number=row.number,
                parent=row.parent,
                author=row.author,
                action=row.action,
                note=row.note,
                time=row.created_at,
                added=int(added.get(row.number, 0)),
                removed=int(removed.get(row.number, 0)),
                current=row.number == transcript.revision,
            )
            for row in rows
        ]


def _marked(old: str, new: str) -> str:
    before, after = old.split(), new.split()
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.extend(before[i1:i2])
            continue
        if i1 < i2:
            parts.append("[-" + " ".join(before[i1:i2]) + "-]")
        if j1 < j2:
            parts.append("{+" + " ".join(after[j1:j2]) + "+}")
    return " ".join(parts)


def transcript_diff(archive: Archive, asset_id: str, old: int, new: int) -> TranscriptDiff:
    """The segments that read differently in revisions ``old`` and ``new``, word by word.

    Raises:
        NotFoundError: no such asset, transcript or revision.
    """
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        transcript = require_current(session, asset)
        check_revision(transcript, old)
        check_revision(transcript, new)
        # Segment times stay through corrections: a segment is known by its times.
        before = {(r.start, r.end): r.text for r in rows_at(session, transcript.id, old)}
        after = {(r.start, r.end): r.text for r in rows_at(session, transcript.id, new)}
        result = TranscriptDiff(asset.short_id, transcript.id, old, new)
        for key in sorted(set(before) | set(after)):
            was, now = before.get(key), after.get(key)
            if was == now:
                continue
            result.lines.append(DiffLine(key[0], key[1], was, now, _marked(was or "", now or "")))
        return result
