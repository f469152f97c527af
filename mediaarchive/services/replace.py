"""``transcript replace``: correct a word or name over an asset, an event or the archive.

Whole words by default (``--regex`` opts in to a pattern); every change is shown with its
context, and under ``dry_run`` nothing is saved. Each asset gets one new revision of its
current transcript through ``services.revisions.commit_revision``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import Asset, Event, Segment, Transcript, current_segment
from mediaarchive.db.models import asset_events
from mediaarchive.errors import NotFoundError, UserError
from mediaarchive.services.history import current_user
from mediaarchive.services.revisions import RevisionSaved, commit_revision, new_version
from mediaarchive.services.timed_text import format_stamp
from mediaarchive.vocabulary import AuditAction, RevisionAction

__all__ = ["ReplaceResult", "Replacement", "compile_pattern", "replace_text"]

#: Words of context shown on each side of a change.
CONTEXT_WORDS = 5


@dataclass
class Replacement:
    """One change ``transcript replace`` makes (or would make, under ``--dry-run``)."""

    id: str
    title: str | None
    start: float
    old: str
    new: str
    #: The words around the change: ``…before [old → new] after…``.
    context: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReplaceResult:
    pattern: str
    replacement: str
    dry_run: bool
    changes: list[Replacement] = field(default_factory=list)
    #: Revisions made (none under ``--dry-run``).
    revisions: list[RevisionSaved] = field(default_factory=list)

    @property
    def assets(self) -> int:
        return len({change.id for change in self.changes})

    def to_json(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "replacement": self.replacement,
            "dry_run": self.dry_run,
            "assets": self.assets,
            "changes": [change.to_json() for change in self.changes],
            "revisions": [revision.to_json() for revision in self.revisions],
        }


def compile_pattern(old: str, *, regex: bool = False) -> re.Pattern[str]:
    """The pattern ``replace`` looks for: ``old`` as a whole word, or as a regex.

    Raises:
        UserError: an empty pattern, or a regex that does not compile.
    """
    if not old or not old.strip():
        raise UserError("the text to replace is empty: give the word or name to correct")
    if regex:
        try:
            return re.compile(old)
        except re.error as exc:
            raise UserError(f"{old!r} is not a regular expression: {exc}") from exc
    return re.compile(r"(?<!\w)" + re.escape(old.strip()) + r"(?!\w)")


def _context(text: str, match: re.Match[str], replaced: str) -> str:
    """Up to ``CONTEXT_WORDS`` words on each side of the change, spaced as in the text."""
    before = re.findall(r"\S+\s*", text[: match.start()])
    after = re.findall(r"\s*\S+", text[match.end() :])
    return (
        ("…" if len(before) > CONTEXT_WORDS else "")
        + "".join(before[-CONTEXT_WORDS:])
        + f"[{match.group(0)} → {replaced}]"
        + "".join(after[:CONTEXT_WORDS])
        + ("…" if len(after) > CONTEXT_WORDS else "")
    )


def replace_text(
    archive: Archive,
    old: str,
    new: str,
    *,
    asset_id: str | None = None,
    event: str | None = None,
    regex: bool = False,
    dry_run: bool = False,
    by: str | None = None,
    note: str | None = None,
) -> ReplaceResult:
    """Replace ``old`` by ``new`` in current transcripts: of one asset, of an event's assets
    (exact name), or of the whole archive.

    Raises:
        UserError: an empty pattern, a bad regex, both an asset and an event.
        NotFoundError: no such asset or event.
    """
    pattern = compile_pattern(old, regex=regex)
    if asset_id and event:
        raise UserError("give an asset or an event, not both")
    who = current_user(by)
    result = ReplaceResult(old, new, dry_run)
    with archive.session() as session:
        query = (
            select(Segment, Transcript.asset_id)
            .join(Transcript, Transcript.id == Segment.transcript_id)
            .where(Transcript.current.is_(True), current_segment())
            .options(selectinload(Segment.words))
            .order_by(Transcript.asset_id, Segment.start, Segment.id)
        )
        if asset_id:
            query = query.where(Transcript.asset_id == find_asset(session, asset_id).id)
        elif event:
            found = session.scalar(select(Event).where(Event.name == event.strip()))
            if found is None:
                raise NotFoundError(f"no event named {event!r}: see 'mediaarchive events'")
            query = query.where(
                Transcript.asset_id.in_(
                    select(asset_events.c.asset_id).where(asset_events.c.event_id == found.id)
                )
            )
        if not regex:
            # The database narrows the rows down; the pattern decides.
            query = query.where(Segment.text.contains(old.strip(), autoescape=True))
        by_asset: dict[int, list[tuple[Segment, str]]] = defaultdict(list)
        assets: dict[int, Asset] = {}
        for row, owner in session.execute(query.execution_options(yield_per=2000)):
            if not pattern.search(row.text):
                continue
            if owner not in assets:
                loaded = session.get(Asset, owner)
                assert loaded is not None
                assets[owner] = loaded
            asset = assets[owner]
            for match in pattern.finditer(row.text):
                replaced = match.expand(new) if regex else new
                result.changes.append(
                    Replacement(
                        asset.short_id,
                        asset.title or asset.filename,
                        row.start,
                        match.group(0),
                        replaced,
                        _context(row.text, match, replaced),
                    )
                )
            text = " ".join(
                pattern.sub(lambda m: m.expand(new) if regex else new, row.text).split()
            )
            if text != row.text:
                by_asset[owner].append((row, text))
        if dry_run:
            return result
        for owner, edits in by_asset.items():
            asset = assets[owner]
            transcript = asset.current_transcript
            assert transcript is not None
            result.revisions.append(
                commit_revision(
                    archive,
                    session,
                    asset,
                    transcript,
                    retired=[(row, f"the line at [{format_stamp(row.start)}]") for row, _ in edits],
                    added=[new_version(row, text) for row, text in edits if text],
                    by=who,
                    action=RevisionAction.REPLACE,
                    audit=AuditAction.TRANSCRIPT_REPLACE,
                    note=note or f"replaced {old!r} with {new!r}",
                )
            )
    return result
