"""The curation use cases as a logged-in account does them (web page and JSON API).

Each function checks the account's role first, then calls the same use case the CLI calls,
with the account's name as the author of the audit record. Nothing here is a second rule:
the checks and the writes are the curation modules'.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import Segment
from mediaarchive.errors import ConflictError, NotFoundError, UserError
from mediaarchive.services import editing, replace, review, revisions, withdrawal
from mediaarchive.services.accounts import Account, require

__all__ = [
    "MAX_LINE",
    "LineConflict",
    "LineEdit",
    "SavedLines",
    "edit_metadata",
    "replace_in_transcript",
    "save_lines",
    "set_review",
    "withdraw",
]

#: Longest text of one transcript line (a minute of fast speech is about 1,000 characters).
MAX_LINE = 5000


@dataclass(frozen=True)
class LineEdit:
    """One corrected line: the segment version that was read, and its new text."""

    segment: int
    text: str


@dataclass(frozen=True)
class SavedLines:
    """A save: the revision it made, and the saved lines' current versions (their new ids,
    which the next correction of the same line sends back)."""

    revision: revisions.RevisionSaved
    lines: list[LineEdit]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.revision.to_json(),
            "segments": [{"segment": line.segment, "text": line.text} for line in self.lines],
        }


class LineConflict(ConflictError):
    """A line was saved by someone else since it was read: here is the newer version."""

    def __init__(self, message: str, *, segment: int | None, text: str | None) -> None:
        super().__init__(message)
        self.segment = segment
        self.text = text


def _not_withdrawn(archive: Archive, asset_id: str) -> None:
    """A withdrawn asset is not edited from the web (restore it first, on the command line)."""
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        if asset.withdrawn_at is not None:
            raise NotFoundError(
                f"asset {asset.short_id} is withdrawn: nothing was changed "
                f"('mediaarchive restore {asset.short_id}' brings it back)"
            )


def edit_metadata(
    archive: Archive,
    account: Account | None,
    asset_id: str,
    changes: Mapping[str, Any],
    *,
    add_events: Iterable[str] = (),
    remove_events: Iterable[str] = (),
) -> editing.MetadataEdit:
    """``edit`` by an editor."""
    require(account, "editor", "edit metadata")
    assert account is not None
    _not_withdrawn(archive, asset_id)
    return editing.edit_asset(
        archive,
        asset_id,
        changes,
        add_events=list(add_events),
        remove_events=list(remove_events),
        by=account.name,
    )


def _newer(archive: Archive, asset_id: str, read: int) -> tuple[int | None, str | None]:
    """The current version of the line whose version ``read`` was read."""
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        transcript = revisions.require_current(session, asset)
        old = session.get(Segment, read)
        if old is None:
            return None, None
        row = session.scalar(
            select(Segment)
            .where(
                Segment.transcript_id == transcript.id,
                Segment.superseded_in.is_(None),
                Segment.start == old.start,
            )
            .limit(1)
        )
        return (row.id, row.text) if row is not None else (None, None)


def save_lines(
    archive: Archive,
    account: Account | None,
    asset_id: str,
    lines: Sequence[LineEdit],
    *,
    note: str | None = None,
) -> SavedLines:
    """Save corrected lines (each a new version of its segment; only those are re-indexed).

    Raises:
        PermissionDenied: not an editor.
        UserError: no line, or a line longer than ``MAX_LINE`` or with control characters.
        LineConflict: a line was saved by someone else since it was read (nothing of that
            line is saved; lines before it in ``lines`` are).
    """
    require(account, "editor", "correct transcripts")
    assert account is not None
    _not_withdrawn(archive, asset_id)
    if not lines:
        raise UserError("no line to save: send at least one {segment, text}")
    for line in lines:
        if len(line.text) > MAX_LINE:
            raise UserError(
                f"the line is {len(line.text)} characters long: at most {MAX_LINE} are kept "
                "in one line; split it"
            )
        if any(ord(c) < 32 and c not in "\t\n\r" for c in line.text):
            raise UserError("the line holds control characters: remove them")
        if not line.text.strip():
            raise UserError("a line cannot be empty: write what was said, or '…'")
    saved = None
    current: list[LineEdit] = []
    for line in lines:
        try:
            saved = revisions.save_segment(
                archive, asset_id, line.segment, line.text, by=account.name, note=note
            )
        except ConflictError as exc:
            segment, text = _newer(archive, asset_id, line.segment)
            raise LineConflict(str(exc), segment=segment, text=text) from exc
        segment, text = _newer(archive, asset_id, line.segment)
        if segment is not None and text is not None:
            current.append(LineEdit(segment, text))
    assert saved is not None
    return SavedLines(saved, current)


def set_review(
    archive: Archive, account: Account | None, asset_id: str, action: str
) -> review.ReviewChange:
    """``review ID --approve|--start|--reopen`` by an editor."""
    require(account, "editor", "review transcripts")
    assert account is not None
    _not_withdrawn(archive, asset_id)
    return review.set_review(archive, asset_id, action, by=account.name)


def replace_in_transcript(
    archive: Archive,
    account: Account | None,
    asset_id: str,
    old: str,
    new: str,
    *,
    dry_run: bool = False,
) -> replace.ReplaceResult:
    """``transcript replace`` within one talk, by an editor."""
    require(account, "editor", "correct transcripts")
    assert account is not None
    _not_withdrawn(archive, asset_id)
    if not old.strip():
        raise UserError("say what to replace: the search text is empty")
    if len(old) > MAX_LINE or len(new) > MAX_LINE:
        raise UserError(f"search and replacement texts are at most {MAX_LINE} characters")
    return replace.replace_text(
        archive, old, new, asset_id=asset_id, dry_run=dry_run, by=account.name
    )


def withdraw(
    archive: Archive, account: Account | None, asset_id: str, reason: str
) -> withdrawal.Withdrawal:
    """``withdraw ID --reason`` by an editor ("Zurückziehen")."""
    require(account, "editor", "withdraw assets")
    assert account is not None
    return withdrawal.withdraw(archive, asset_id, reason, by=account.name)
