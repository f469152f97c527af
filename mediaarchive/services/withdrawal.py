"""Withdraw and restore: a speaker who takes back consent is taken out of the archive at once.

A withdrawn asset keeps its bytes, transcripts and history but is hidden everywhere: search
(its documents leave the index), the web page and JSON API (404), export, and ``status``
(unless ``--all``). ``restore`` undoes it. Both are audited with the reason.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from mediaarchive.archive import Archive, find_asset
from mediaarchive.errors import UserError
from mediaarchive.search import index_asset
from mediaarchive.services.history import current_user, record_change
from mediaarchive.vocabulary import AuditAction

__all__ = ["Withdrawal", "restore", "withdraw"]


@dataclass
class Withdrawal:
    """What ``withdraw`` or ``restore`` did (``--json``)."""

    id: str
    title: str | None
    withdrawn: bool
    reason: str | None
    by: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def withdraw(archive: Archive, asset_id: str, reason: str, *, by: str | None = None) -> Withdrawal:
    """Hide the asset everywhere, keeping it (reversible with ``restore``).

    Raises:
        NotFoundError, AmbiguousIdError: the id names no single asset.
        UserError: no reason given, or the asset is withdrawn already.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise UserError('say why the asset is withdrawn: --reason "Einwilligung widerrufen"')
    who = current_user(by)
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        if asset.withdrawn_at is not None:
            raise UserError(
                f"asset {asset.short_id} is withdrawn already (since "
                f"{asset.withdrawn_at:%Y-%m-%d}): 'mediaarchive restore {asset.short_id}' "
                "brings it back"
            )
        asset.withdrawn_at = datetime.now(UTC)
        asset.withdrawn_reason = reason
        record_change(session, action=AuditAction.WITHDRAW, by=who, note=reason, asset=asset)
        index_asset(session, asset)
        return Withdrawal(asset.short_id, asset.title, True, reason, who)


def restore(
    archive: Archive, asset_id: str, *, by: str | None = None, note: str | None = None
) -> Withdrawal:
    """Bring a withdrawn asset back: visible and searchable as before.

    Raises:
        NotFoundError, AmbiguousIdError: the id names no single asset.
        UserError: the asset is not withdrawn.
    """
    who = current_user(by)
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        if asset.withdrawn_at is None:
            raise UserError(f"asset {asset.short_id} is not withdrawn: nothing to restore")
        reason = asset.withdrawn_reason
        asset.withdrawn_at = None
        asset.withdrawn_reason = None
        record_change(
            session, action=AuditAction.RESTORE, by=who, old=reason, note=note, asset=asset
        )
        index_asset(session, asset)
        return Withdrawal(asset.short_id, asset.title, False, None, who)
