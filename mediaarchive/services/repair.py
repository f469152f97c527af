"""Repair: bring back a damaged or missing original from its recorded sources, and make
damaged renditions again by re-running the step that made them.

An original is only ever restored with bytes that hash to its recorded sha256: a source
whose bytes changed since the ingest cannot repair it (that is said, and nothing is
written). Which assets: those given, else those that full reads and ``verify`` marked
damaged; either way their original and renditions are hashed afresh first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import or_, select

from mediaarchive.archive import Archive, find_asset, mark_blob
from mediaarchive.db import Asset, Job, Rendition
from mediaarchive.errors import MediaArchiveError
from mediaarchive.pipeline.runner import run_queued
from mediaarchive.services.fixity import hash_blob
from mediaarchive.services.ingest import fetch_temp_dir
from mediaarchive.sources import FetchOptions, fetch, parse_location

__all__ = ["RENDITION_STEPS", "RepairResult", "damaged_assets", "repair"]

#: The step that makes each kind of rendition (re-run to make a damaged one again).
RENDITION_STEPS = {
    "speech_audio": "transcode",
    "proxy": "transcode",
    "poster": "transcode",
    "thumbnail": "thumbnail",
    "slide": "slides",
    "subtitles": "subtitles",
}

Reporter = Callable[["RepairResult"], None]


@dataclass
class RepairResult:
    """What repair did to one part (the original or a rendition) of an asset."""

    asset_id: str
    #: "original", or the rendition ("proxy", "slide:slide-0002"…).
    part: str
    #: repaired, remade, sound (nothing to do), source-changed, failed.
    outcome: str
    message: str

    @property
    def ok(self) -> bool:
        return self.outcome in ("repaired", "remade", "sound")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def damaged_assets(archive: Archive) -> list[str]:
    """Ids of the assets marked damaged (original or a rendition)."""
    with archive.session() as session:
        query = (
            select(Asset)
            .where(
                or_(
                    Asset.damaged.is_not(None),
                    Asset.renditions.any(Rendition.damaged.is_not(None)),
                )
            )
            .order_by(Asset.id)
        )
        return [asset.short_id for asset in session.scalars(query)]


def repair(
    archive: Archive, asset_ids: Sequence[str] | None = None, report: Reporter | None = None
) -> list[RepairResult]:
    """Repair the assets ``asset_ids``, or every asset marked damaged (checked afresh).

    Raises:
        NotFoundError, AmbiguousIdError, UserError: an id names no single asset.
    """
    if asset_ids:
        with archive.session() as session:
            ids = [find_asset(session, asset_id).short_id for asset_id in asset_ids]
    else:
        ids = damaged_assets(archive)
    for asset_id in ids:
        # A mark may be stale (the blob was restored by hand): only what is damaged now.
        _check_afresh(archive, asset_id)
    results: list[RepairResult] = []
    for asset_id in ids:
        for result in _repair_asset(archive, asset_id):
            results.append(result)
            if report is not None:
                report(result)
    return results


def _check_afresh(archive: Archive, asset_id: str) -> None:
    """Hash the asset's original and renditions now, setting or clearing their marks."""
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        blobs = [(asset.blob_key, asset.sha256)] + [
            (r.blob_key, r.sha256) for r in asset.renditions
        ]
    for key, expected in dict(blobs).items():
        actual = hash_blob(archive.store, key)
        with archive.session() as session:
            mark_blob(session, key, expected, actual, missing=actual is None)


def _repair_asset(archive: Archive, asset_id: str) -> list[RepairResult]:
    results: list[RepairResult] = []
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        original_damaged = asset.damaged
        damaged_renditions = [(r.kind, r.label) for r in asset.renditions if r.damaged]
    if original_damaged:
        result = _restore_original(archive, asset_id)
        results.append(result)
        if not result.ok and damaged_renditions:
            results.append(
                RepairResult(
                    asset_id,
                    "renditions",
                    "failed",
                    "the renditions are made from the original: repair it first",
                )
            )
            return results
    if damaged_renditions:
        results.extend(_remake_renditions(archive, asset_id, damaged_renditions))
    if not results:
        results.append(RepairResult(asset_id, "original", "sound", "nothing damaged"))
    return results


def _restore_original(archive: Archive, asset_id: str) -> RepairResult:
    """Fetch the original again from each recorded source until one has its bytes."""
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        sha256, key, urls = asset.sha256, asset.blob_key, [link.url for link in asset.sources]
    if not urls:
        return RepairResult(
            asset_id, "original", "failed", "no source is recorded: restore it from a backup"
        )
    settings = archive.settings
    options = FetchOptions(
        attempts=settings.fetch_retries,
        timeout=settings.fetch_timeout,
        backoff=settings.fetch_backoff,
    )
    temp_dir = fetch_temp_dir(archive)
    problems: list[str] = []
    changed: list[str] = []
    for url in urls:
        try:
            fetched = fetch(parse_location(url), temp_dir, options)
        except MediaArchiveError as exc:
            problems.append(str(exc))
            continue
        if fetched.sha256 != sha256:
            fetched.path.unlink(missing_ok=True)
            changed.append(f"{url} now has sha256 {fetched.sha256[:12]}…")
            continue
        try:
            archive.store.put_file(fetched.path, fetched.sha256, move=True)
        finally:
            fetched.path.unlink(missing_ok=True)
        with archive.session() as session:
            mark_blob(session, key, sha256, sha256)
            failed = session.scalars(
                select(Job.step).where(
                    Job.asset_id == find_asset(session, asset_id).id, Job.state == "failed"
                )
            ).all()
        hint = (
            f"; its failed steps ({', '.join(failed)}) run again with "
            f"'mediaarchive retry {asset_id}'"
            if failed
            else ""
        )
        return RepairResult(asset_id, "original", "repaired", f"fetched again from {url}{hint}")
    if changed:
        return RepairResult(
            asset_id,
            "original",
            "source-changed",
            "the source changed: "
            + "; ".join(changed)
            + f", not {sha256[:12]}…; restore the original from a backup",
        )
    return RepairResult(
        asset_id, "original", "failed", "no source could be fetched: " + "; ".join(problems)
    )


def _remake_renditions(
    archive: Archive, asset_id: str, damaged: list[tuple[str, str]]
) -> list[RepairResult]:
    """Drop the damaged renditions and run the steps that made them again."""
    steps: dict[str, list[str]] = {}
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        asset_pk = asset.id
        for rendition in list(asset.renditions):
            if (rendition.kind, rendition.label) not in damaged:
                continue
            name = f"{rendition.kind}:{rendition.label}" if rendition.label else rendition.kind
            steps.setdefault(RENDITION_STEPS.get(rendition.kind, ""), []).append(name)
            session.delete(rendition)
        for job in session.scalars(select(Job).where(Job.asset_id == asset_pk)):
            if job.step in steps:
                job.state = "queued"
                job.attempts = 0
                job.error = None
                job.progress = None
    unknown = steps.pop("", [])
    results = [
        RepairResult(asset_id, part, "failed", "no step is known to make it") for part in unknown
    ]
    if not steps:
        return results
    run_queued(archive, asset_ids=[asset_pk])
    with archive.session() as session:
        jobs = {
            job.step: job for job in session.scalars(select(Job).where(Job.asset_id == asset_pk))
        }
        for step_name, parts in steps.items():
            job = jobs.get(step_name)
            done = job is not None and job.state == "done"
            why = job.error if job is not None else "the step is not in the asset's pipeline"
            for part in parts:
                results.append(
                    RepairResult(
                        asset_id,
                        part,
                        "remade" if done else "failed",
                        f"made again by the {step_name} step"
                        if done
                        else f"the {step_name} step failed: {why}",
                    )
                )
    return results
