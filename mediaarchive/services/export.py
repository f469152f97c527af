"""Export of an event's assets as a BagIt bag (RFC 8493), in a folder or under an S3 prefix.

Bag layout (``data/`` is the payload, the ``bagit`` library writes the manifests)::

    bag-info.txt  bagit.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-*.txt
    data/event.json                          the event and the list of its assets
    data/<id>/metadata.json                  Dublin Core fields + the archive's own record
    data/<id>/original/<filename>            the original bytes (or proxy/<name> with proxies)
    data/<id>/subtitles/<id>.vtt|.srt        the current transcript as subtitles
    data/<id>/transcripts/<n>-<model>.json   every transcript, with its provenance
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit
import boto3
from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mediaarchive.archive import Archive, record_damage
from mediaarchive.db import Asset, Event, ExportRecord, Rendition
from mediaarchive.errors import DamagedError, ExportError, NotFoundError, StoreError, UserError
from mediaarchive.store import open_checked
from mediaarchive.subtitles import render_subtitles, transcript_document

#: DCMI Type Vocabulary terms for the archive's asset kinds.
DCMI_TYPES = {"video": "MovingImage", "audio": "Sound", "image": "StillImage", "other": "Dataset"}
CHECKSUMS = ["sha256", "sha512"]
SUBTITLE_FORMATS = ("vtt", "srt")

#: Called with a message for each asset or upload done.
Reporter = Callable[[str], None]


@dataclass
class ExportResult:
    """What an export wrote."""

    destination: str
    event: str
    assets: int
    files: int
    bytes: int
    proxies: bool
    #: Ids of damaged assets left out (``skip_damaged``).
    skipped: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "event": self.event,
            "assets": self.assets,
            "files": self.files,
            "bytes": self.bytes,
            "proxies": self.proxies,
            "skipped": self.skipped,
        }


def _safe_name(name: str, fallback: str) -> str:
    cleaned = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._")
    return cleaned[:120] or fallback


def find_event(session: Session, name: str) -> Event:
    """The event of this name (exact, else case-insensitive).

    Raises:
        NotFoundError: no such event; the message lists the known ones.
    """
    event = session.scalar(select(Event).where(Event.name == name))
    if event is None:
        event = session.scalar(select(Event).where(func.lower(Event.name) == name.lower()))
    if event is None:
        known = session.scalars(select(Event.name).order_by(Event.name).limit(20)).all()
        hint = f": known events are {', '.join(known)}" if known else ""
        raise NotFoundError(f"no event named {name!r}{hint}")
    return event


def dublin_core(asset: Asset) -> dict[str, Any]:
    """The asset's Dublin Core (DCMI terms) record."""
    record: dict[str, Any] = {
        "dc:identifier": f"sha256:{asset.sha256}",
        "dc:title": asset.title or asset.filename,
        "dc:creator": list(asset.speakers or []),
        "dc:date": asset.date or (asset.event.date if asset.event else None),
        "dc:description": asset.description,
        "dc:language": asset.language
        or (asset.current_transcript.language if asset.current_transcript else None),
        "dc:format": asset.mime,
        "dc:type": DCMI_TYPES.get(asset.kind, "Dataset"),
        "dc:source": [link.url for link in asset.sources],
        "dcterms:isPartOf": [event.name for event in asset.events],
        "dcterms:extent": _extent(asset),
        "dcterms:created": asset.created_at.isoformat() if asset.created_at else None,
    }
    return {key: value for key, value in record.items() if value not in (None, [], "")}


def _extent(asset: Asset) -> str | None:
    duration = (asset.probe or {}).get("duration")
    if duration:
        return f"{float(duration):.3f} s"
    return f"{asset.size} bytes" if asset.size else None


def _asset_record(asset: Asset, files: dict[str, Any]) -> dict[str, Any]:
    return {
        "dublin_core": dublin_core(asset),
        "archive": {
            "id": asset.short_id,
            "sha256": asset.sha256,
            "size": asset.size,
            "mime": asset.mime,
            "kind": asset.kind,
            "filename": asset.filename,
            "events": [event.name for event in asset.events],
            "speakers": list(asset.speakers or []),
            "source_urls": [link.url for link in asset.sources],
            "probe": asset.probe,
            "extra": asset.extra or {},
            "renditions": [
                {
                    "kind": rendition.kind,
                    "label": rendition.label,
                    "sha256": rendition.sha256,
                    "mime": rendition.mime,
                    "size": rendition.size,
                    "params": rendition.params,
                }
                for rendition in asset.renditions
            ],
            "transcripts": [
                {
                    "id": transcript.id,
                    "model": transcript.model,
                    "language": transcript.language,
                    "current": transcript.current,
                    "created": transcript.created_at.isoformat() if transcript.created_at else None,
                }
                for transcript in asset.transcripts
            ],
            # Text read from the image or the video's slides (searchable in the archive).
            "ocr": [
                {
                    "source": text.source,
                    "start": text.start,
                    "end": text.end,
                    "text": text.text,
                    "confidence": text.confidence,
                }
                for text in asset.ocr_texts
            ],
        },
        "files": files,
    }


def _write_json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )


def _copy_blob(archive: Archive, key: str, sha256: str, target: Path, what: str) -> None:
    """Copy a blob into the bag, checking its sha256 on the way (the one read of it).

    Raises:
        DamagedError: it is missing or its bytes do not hash to ``sha256``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open_checked(archive.store, key, sha256) as source, open(target, "wb") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)
            source.check()
    except (OSError, BotoCoreError, ClientError) as exc:
        raise StoreError(f"cannot copy {what} ({key}) into the bag: {exc}") from exc


def _proxy(asset: Asset) -> Rendition | None:
    for kind in ("proxy", "thumbnail"):
        for rendition in asset.renditions:
            if rendition.kind == kind:
                return rendition
    return None


def _stage_asset(
    archive: Archive,
    session: Session,
    asset: Asset,
    folder: Path,
    *,
    proxies: bool,
    preset: str,
) -> None:
    files: dict[str, Any] = {"transcripts": []}
    rendition = _proxy(asset) if proxies else None
    if rendition is not None:
        suffix = Path(asset.filename or "").stem or asset.short_id
        extension = {"video/mp4": ".mp4", "image/jpeg": ".jpg", "image/webp": ".webp"}.get(
            (rendition.mime or "").split(";")[0], ""
        )
        name = _safe_name(f"{suffix}.{rendition.kind}{extension}", f"{rendition.kind}")
        _copy_blob(
            archive,
            rendition.blob_key,
            rendition.sha256,
            folder / rendition.kind / name,
            f"{rendition.kind} of {asset.short_id}",
        )
        files[rendition.kind] = f"{rendition.kind}/{name}"
    else:
        name = _safe_name(asset.filename or asset.short_id, asset.short_id)
        _copy_blob(
            archive,
            asset.blob_key,
            asset.sha256,
            folder / "original" / name,
            f"original of {asset.short_id}",
        )
        files["original"] = f"original/{name}"
    if asset.current_transcript is not None:
        for fmt in SUBTITLE_FORMATS:
            relative = f"subtitles/{asset.short_id}.{fmt}"
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render_subtitles(session, asset, fmt, preset), encoding="utf-8")
            files[f"subtitles_{fmt}"] = relative
    for number, transcript in enumerate(asset.transcripts, start=1):
        model = _safe_name(transcript.model.replace("import:", "import-"), "transcript")
        relative = f"transcripts/{number:02d}-{model}.json"
        _write_json(folder / relative, transcript_document(asset, transcript))
        files["transcripts"].append(relative)
    _write_json(folder / "metadata.json", _asset_record(asset, files))


def _build_bag(
    archive: Archive,
    event_name: str,
    staging: Path,
    *,
    proxies: bool,
    preset: str | None,
    report: Reporter,
    skip_damaged: bool = False,
    skipped: list[str] | None = None,
    public_only: bool = False,
    held: list[str] | None = None,
) -> tuple[str, int]:
    """Stage the event's assets in ``staging`` and make it a bag; returns (event, assets).

    A damaged asset (marked so, or found so while its bytes are copied) stops the export,
    or with ``skip_damaged`` is left out and its id added to ``skipped``.
    """
    skipped = skipped if skipped is not None else []
    with archive.session() as session:
        event = find_event(session, event_name)
        # Withdrawn assets are never exported; with public_only, internal ones neither.
        assets = sorted(
            (
                asset
                for asset in event.assets
                if asset.withdrawn_at is None and (not public_only or asset.visibility == "public")
            ),
            key=lambda asset: (asset.title or "", asset.sha256),
        )
        chosen_preset = preset or archive.settings.subtitle_preset
        exported: list[Asset] = []
        for asset in assets:
            folder = staging / asset.short_id
            problem = None
            if asset.damaged and (not proxies or _proxy(asset) is None):
                problem = f"its original is {asset.damaged}; found so by an earlier check"
            else:
                try:
                    _stage_asset(
                        archive, session, asset, folder, proxies=proxies, preset=chosen_preset
                    )
                except DamagedError as exc:
                    record_damage(archive, exc)
                    problem = str(exc)
            if problem is not None:
                if not skip_damaged:
                    raise ExportError(
                        f"asset {asset.short_id} is damaged: {problem}. No bag was written: "
                        f"run 'mediaarchive repair {asset.short_id}', or export with "
                        "--skip-damaged to leave it out"
                    )
                shutil.rmtree(folder, ignore_errors=True)
                skipped.append(asset.short_id)
                report(f"{asset.short_id} left out: damaged ({problem})")
                continue
            exported.append(asset)
            if held is not None:
                held.append(asset.sha256)
            report(f"{asset.short_id} {asset.title or asset.filename}")
        assets = exported
        _write_json(
            staging / "event.json",
            {
                "name": event.name,
                "date": event.date,
                "description": event.description,
                "source": event.source,
                "assets": [
                    {
                        "id": asset.short_id,
                        "title": asset.title,
                        "kind": asset.kind,
                        "folder": asset.short_id,
                    }
                    for asset in assets
                ],
                "left_out_damaged": skipped,
            },
        )
        bag_info = {
            "Source-Organization": "mediaarchive",
            "External-Description": f"Media of the event {event.name}"
            + (f" ({event.date})" if event.date else ""),
            "External-Identifier": event.name,
            "Bag-Group-Identifier": event.name,
            "Internal-Sender-Description": (
                "proxies instead of originals" if proxies else "originals"
            )
            + ", Dublin Core metadata, subtitles and transcripts with provenance",
        }
        name = event.name
    try:
        bagit.make_bag(str(staging), bag_info=bag_info, checksums=CHECKSUMS)
    except (bagit.BagError, OSError) as exc:
        raise ExportError(f"cannot make a bag of event {name!r} in {staging}: {exc}") from exc
    return name, len(assets)


def _count(folder: Path) -> tuple[int, int]:
    files = [path for path in folder.rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def export_event(
    archive: Archive,
    event: str,
    destination: str,
    *,
    proxies: bool = False,
    preset: str | None = None,
    report: Reporter | None = None,
    skip_damaged: bool = False,
    public_only: bool = False,
) -> ExportResult:
    """Export an event's assets as a BagIt bag to a new folder or an ``s3://bucket/prefix``.

    Args:
        archive: the archive.
        event: the event's name.
        destination: a folder that does not exist yet (or is empty), or ``s3://bucket/prefix``.
        proxies: ship the proxy renditions instead of the originals (where an asset has one).
        preset: subtitle preset of the subtitle files (default: the setting).
        report: called with a line per asset and upload.
        skip_damaged: leave out damaged assets (listed in ``skipped``) instead of failing.
        public_only: only the event's public assets (withdrawn ones are never exported).

    Raises:
        NotFoundError: no such event.
        UserError: the folder exists and is not empty.
        ExportError: the bag could not be written or uploaded, or an asset is damaged
            (without ``skip_damaged``): nothing is written then.
    """
    report = report or (lambda message: None)
    skipped: list[str] = []
    held: list[str] = []
    if destination.startswith("s3://"):
        _s3_destination(destination)  # fail before the (long) copy when the bucket is wrong
        try:
            with tempfile.TemporaryDirectory(prefix="mediaarchive-export-") as tmp:
                staging = Path(tmp) / "bag"
                staging.mkdir()
                name, count = _build_bag(
                    archive,
                    event,
                    staging,
                    proxies=proxies,
                    preset=preset,
                    report=report,
                    skip_damaged=skip_damaged,
                    public_only=public_only,
                    skipped=skipped,
                    held=held,
                )
                files, size = _count(staging)
                _upload(staging, destination, report)
        except OSError as exc:
            raise ExportError(f"cannot stage the bag for {destination}: {exc}") from exc
        _record_export(archive, destination, name, held)
        return ExportResult(destination, name, count, files, size, proxies, skipped)
    target = Path(destination).expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UserError(
            f"export folder {target} already exists and is not empty: choose a new folder"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    except OSError as exc:
        raise ExportError(f"cannot create the export folder {target}: {exc}") from exc
    try:
        name, count = _build_bag(
            archive,
            event,
            staging,
            proxies=proxies,
            preset=preset,
            report=report,
            skip_damaged=skip_damaged,
            public_only=public_only,
            skipped=skipped,
            held=held,
        )
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ExportError(f"cannot write the bag to {target}: {exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    files, size = _count(target)
    _record_export(archive, str(target), name, held)
    return ExportResult(str(target), name, count, files, size, proxies, skipped)


def _record_export(archive: Archive, destination: str, event: str, held: list[str]) -> None:
    """Remember which assets the bag holds (a purge names the copies outside the archive)."""
    with archive.session() as session:
        session.add(ExportRecord(destination=destination, event=event, assets=list(held)))


def _s3_destination(destination: str) -> tuple[Any, str, str]:
    """A client, the bucket and the prefix of ``s3://bucket/prefix``; the bucket must exist."""
    bucket, _, prefix = destination.removeprefix("s3://").partition("/")
    if not bucket:
        raise UserError(
            f"export destination {destination!r} names no bucket: use s3://bucket/prefix"
        )
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    client = boto3.client("s3", endpoint_url=endpoint or None)
    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as exc:
        raise ExportError(
            f"cannot export to {destination}: bucket {bucket} does not exist or is not "
            f"accessible ({exc.response.get('Error', {}).get('Code', exc)}); create it or "
            "check the credentials"
        ) from exc
    except BotoCoreError as exc:
        raise ExportError(f"cannot reach the S3 endpoint for {destination}: {exc}") from exc
    return client, bucket, prefix.strip("/")


def _upload(folder: Path, destination: str, report: Reporter) -> None:
    """Upload a finished bag under an S3 prefix: payload first, tag files (bagit.txt) last."""
    client, bucket, prefix = _s3_destination(destination)
    paths = sorted(path for path in folder.rglob("*") if path.is_file())
    # A reader that finds bagit.txt finds a complete bag: it goes up last.
    paths.sort(key=lambda path: (path.parent == folder, path.name == "bagit.txt"))
    for path in paths:
        relative = path.relative_to(folder).as_posix()
        key = f"{prefix}/{relative}" if prefix else relative
        try:
            client.upload_file(str(path), bucket, key)
        except (BotoCoreError, ClientError, S3UploadFailedError, OSError) as exc:
            raise ExportError(
                f"cannot upload {relative} to s3://{bucket}/{key}: {exc}; check the bucket "
                "exists and the credentials may write to it"
            ) from exc
    report(f"uploaded {len(paths)} files to s3://{bucket}/{prefix}")
