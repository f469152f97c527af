"""Delete with purge (GDPR Art. 17): the archive's erasure procedure for one asset.

``purge`` removes the original, the renditions, transcripts (every revision), OCR text, index
entries, jobs, sources and links of the asset, and its bytes from the store (local or S3;
a blob another asset also uses is kept). A tombstone keeps sha256, size, reason, who and
when, so ``verify`` does not report the missing bytes as damage and an ``ingest`` of the
same bytes is refused unless forced. The asset's audit values become "[purged]" (the fact
of the purge is kept). It returns the exports (bags) that held the asset, so the archivist
can act on copies outside the archive; ``backup --prune`` removes it from backups.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import delete, or_, select, update

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import (
    Asset,
    AuditRecord,
    ExportRecord,
    Job,
    Rendition,
    Segment,
    Source,
    Tombstone,
    Transcript,
    TranscriptRevision,
    Word,
)
from mediaarchive.errors import StoreError, UserError
from mediaarchive.search import remove_asset
from mediaarchive.services.history import current_user, record_change
from mediaarchive.vocabulary import AuditAction

__all__ = ["PURGED", "Purge", "purge", "refuse_purged"]

PURGED = "[purged]"


@dataclass
class Purge:
    """What ``delete --purge`` did (``--json``)."""

    id: str
    sha256: str
    size: int
    reason: str
    by: str
    #: Store keys removed, and those kept because another asset uses them too.
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    #: Exports (bags) that held the asset: copies outside the archive to act on.
    exports: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def refuse_purged(session: Any, sha256: str, label: str) -> None:
    """Raise when these bytes belong to a purged asset (ingest without ``--force``)."""
    stone = session.get(Tombstone, sha256)
    if stone is not None:
        raise UserError(
            f"{label}: these bytes were purged from the archive on "
            f"{stone.created_at:%Y-%m-%d} ({stone.reason}); ingest them with --force only if "
            "they may be archived again"
        )


def purge(archive: Archive, asset_id: str, reason: str, *, by: str | None = None) -> Purge:
    """Delete the asset and its bytes, leaving a tombstone.

    Raises:
        NotFoundError, AmbiguousIdError: the id names no single asset.
        UserError: no reason, or a step of the asset is running now (nothing is changed).
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise UserError('say why the asset is deleted: --reason "Einwilligung widerrufen"')
    who = current_user(by)
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        running = session.scalars(
            select(Job.step).where(Job.asset_id == asset.id, Job.state == "running")
        ).all()
        if running:
            raise UserError(
                f"asset {asset.short_id} is being processed now (step {', '.join(running)}): "
                "wait until it is done (or stop 'mediaarchive run'), then delete it; nothing "
                "was changed"
            )
        keys = {asset.blob_key, *(r.blob_key for r in asset.renditions)}
        shared = set(
            session.scalars(
                select(Rendition.blob_key).where(
                    Rendition.blob_key.in_(keys), Rendition.asset_id != asset.id
                )
            )
        ) | set(
            session.scalars(
                select(Asset.blob_key).where(Asset.blob_key.in_(keys), Asset.id != asset.id)
            )
        )
        result = Purge(asset.short_id, asset.sha256, asset.size, reason, who)
        result.exports = [
            {"destination": e.destination, "event": e.event, "time": e.created_at.isoformat()}
            for e in session.scalars(select(ExportRecord).order_by(ExportRecord.id))
            if asset.sha256 in (e.assets or [])
        ]
        _erase_rows(session, asset)
        session.merge(Tombstone(sha256=asset.sha256, size=asset.size, reason=reason, by=who))
        record_change(session, action=AuditAction.PURGE, by=who, note=reason, asset=asset)
        session.flush()
        session.delete(asset)
        session.flush()
        # The rows are gone (committed below); the bytes go after, so a failure leaves
        # orphaned bytes (found and removed by the next purge or 'verify'), never rows
        # pointing at nothing.
        result.kept = sorted(keys & shared)
        to_remove = sorted(keys - shared)
    for key in to_remove:
        try:
            if archive.store.delete(key):
                result.removed.append(key)
        except StoreError as exc:
            raise UserError(
                f"asset {result.id} is deleted from the archive, but its blob {key} could not "
                f"be removed from the store ({exc}); run the delete again to finish"
            ) from exc
    return result


def _erase_rows(session: Any, asset: Asset) -> None:
    """Everything of the asset but the asset row itself, and its personal data in history."""
    remove_asset(session, asset.id)
    transcripts = select(Transcript.id).where(Transcript.asset_id == asset.id)
    segments = select(Segment.id).where(Segment.transcript_id.in_(transcripts))
    session.execute(delete(Word).where(Word.segment_id.in_(segments)))
    session.execute(delete(Segment).where(Segment.transcript_id.in_(transcripts)))
    session.execute(
        delete(TranscriptRevision).where(TranscriptRevision.transcript_id.in_(transcripts))
    )
    session.execute(delete(Source).where(Source.asset_id == asset.id))
    session.execute(
        update(AuditRecord)
        .where(or_(AuditRecord.asset_id == asset.id, AuditRecord.asset_sha256 == asset.sha256))
        .values(old=PURGED, new=PURGED, note=PURGED)
    )
    session.flush()
    session.expire(asset)
