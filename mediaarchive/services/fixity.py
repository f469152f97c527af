"""Fixity: re-hash every stored blob (originals and renditions) and record each check."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from mediaarchive.archive import Archive, mark_blob
from mediaarchive.db import Asset, Rendition
from mediaarchive.errors import StoreError
from mediaarchive.store import Store


@dataclass
class FixityResult:
    """One blob's check: outcome ok, missing or corrupt."""

    asset_id: str
    blob_key: str
    role: str
    outcome: str
    expected_sha256: str
    actual_sha256: str | None

    @property
    def message(self) -> str:
        """One line for the user about a failed check, with what to do."""
        if self.outcome == "missing":
            return (
                f"asset {self.asset_id}: {self.role} blob {self.blob_key} is missing from the store"
            )
        return (
            f"asset {self.asset_id}: {self.role} blob {self.blob_key} is corrupt (sha256 "
            f"now {self.actual_sha256[:12] if self.actual_sha256 else '?'}…)"
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def verify_archive(
    archive: Archive, reporter: Callable[[FixityResult], None] | None = None
) -> list[FixityResult]:
    """Re-hash every blob the database knows and record a ``FixityEvent`` per check."""
    store = archive.store
    with archive.session() as session:
        blobs: list[tuple[int, str, str, str, str]] = [
            (a.id, a.short_id, a.blob_key, a.sha256, "original")
            for a in session.scalars(select(Asset).order_by(Asset.id))
        ]
        for rendition, asset in session.execute(
            select(Rendition, Asset).join(Asset).order_by(Rendition.id)
        ):
            role = f"{rendition.kind}{':' + rendition.label if rendition.label else ''} rendition"
            blobs.append((asset.id, asset.short_id, rendition.blob_key, rendition.sha256, role))
    results: list[FixityResult] = []
    for _asset_pk, short_id, key, expected, role in blobs:
        actual = hash_blob(store, key)
        if actual is None:
            outcome = "missing"
        else:
            outcome = "ok" if actual == expected else "corrupt"
        result = FixityResult(short_id, key, role, outcome, expected, actual)
        with archive.session() as session:
            # The fixity event, and the damaged mark set (or cleared) for what is stored there.
            mark_blob(session, key, expected, actual, missing=outcome == "missing")
        results.append(result)
        if reporter is not None:
            reporter(result)
    return results


@dataclass
class ModelCheck:
    """``verify``'s re-hash of the bundled speech model (jobs check it once per process)."""

    path: str
    #: ok, corrupt, or not-installed.
    outcome: str
    actual_sha256: str | None

    @property
    def message(self) -> str:
        if self.outcome == "ok":
            return f"speech model {self.path}: ok"
        if self.outcome == "not-installed":
            return f"speech model {self.path}: not installed yet (checked when first used)"
        return (
            f"the speech model file {self.path} is corrupt (sha256 now "
            f"{(self.actual_sha256 or '?')[:12]}…): run 'mediaarchive models install --force'"
        )


def verify_model(archive: Archive) -> ModelCheck:
    """Re-hash the bundled Whisper model now, against its known sha256."""
    from mediaarchive.asr import models

    path, actual = models.verify_bundled(archive.settings)
    if actual is None:
        return ModelCheck(str(path), "not-installed", None)
    return ModelCheck(str(path), "ok" if actual == models.BUNDLED_SHA256 else "corrupt", actual)


def repair_command(results: list[FixityResult]) -> str | None:
    """The command that repairs what a verify found damaged (None when all is well)."""
    ids = list(dict.fromkeys(r.asset_id for r in results if r.outcome != "ok"))
    return f"mediaarchive repair {' '.join(ids)}" if ids else None


def hash_blob(store: Store, key: str) -> str | None:
    """The sha256 of the stored blob's bytes, None when it is missing."""
    if not store.exists(key):
        return None
    try:
        with store.open(key) as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (StoreError, FileNotFoundError):
        return None
