"""Backup, restore and checking a backup: a consistent database snapshot plus the blobs the
destination lacks.

A backup (a local folder or an ``s3://bucket/prefix``) holds::

    backup.json                  time, version, schema revision, counts, store kind, archive id
    db/archive.sqlite            SQLite's online backup (or db/archive.pgdump: pg_dump -Fc)
    blobs/sha256/ab/cd/<sha256>  every blob the snapshot names, content-addressed
    manifest-sha256.txt          "<sha256>  <path>" of every file above but backup.json

The snapshot comes first (SQLite's backup API, or pg_dump, both consistent while ``run`` or
``serve`` write), then the blobs it names: a blob already at the destination is not copied
again (its name is its hash), so a second backup copies none. A blob purged after the
snapshot is written into the manifest as purged, not reported as an error. ``--prune``
removes blobs the snapshot no longer names (purged assets' bytes) from the destination; the
snapshot itself is replaced by each backup, so purged rows leave it at once.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import create_engine, func, select, text

from mediaarchive.archive import Archive
from mediaarchive.db import ArchiveInfo, Asset, Rendition, Tombstone, Transcript
from mediaarchive.errors import StoreError, UserError
from mediaarchive.store import open_checked
from mediaarchive.store.base import hash_file

__all__ = ["BackupResult", "RestoreResult", "backup", "restore_backup", "verify_backup"]

MANIFEST = "manifest-sha256.txt"
INFO = "backup.json"
SQLITE_SNAPSHOT = "db/archive.sqlite"
PG_SNAPSHOT = "db/archive.pgdump"
PURGED_MARK = "purged"
CHUNK = 1 << 20

Reporter = Callable[[str], None]


@dataclass
class BackupResult:
    destination: str
    snapshot: str
    blobs: int
    copied: int
    copied_bytes: int
    purged: list[str] = field(default_factory=list)
    pruned: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RestoreResult:
    source: str
    assets: int
    blobs: int
    verified: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# --- Destinations -----------------------------------------------------------------------


class _Folder:
    """A backup in a local folder."""

    def __init__(self, root: str) -> None:
        self.root = Path(root).expanduser().resolve()
        self.uri = str(self.root)

    def exists(self, name: str) -> bool:
        return (self.root / name).is_file()

    def names(self, prefix: str) -> Iterator[str]:
        base = self.root / prefix
        if base.exists():
            for path in base.rglob("*"):
                if path.is_file() and not path.name.startswith(".part-"):
                    yield path.relative_to(self.root).as_posix()

    def put(self, name: str, source: BinaryIO) -> int:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".part-{target.name}")
        size = 0
        with open(tmp, "wb") as out:
            while chunk := source.read(CHUNK):
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        return size

    def open(self, name: str) -> BinaryIO:
        try:
            return open(self.root / name, "rb")
        except FileNotFoundError as exc:
            raise UserError(f"the backup at {self.uri} has no {name}") from exc

    def delete(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)


class _Bucket:
    """A backup under an S3 prefix (endpoint from AWS_ENDPOINT_URL_S3)."""

    def __init__(self, uri: str) -> None:
        import boto3

        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        if not bucket:
            raise UserError(f"backup destination {uri!r} names no bucket: use s3://bucket/prefix")
        self.bucket, self.prefix, self.uri = bucket, prefix.strip("/"), uri.rstrip("/")
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        self.client = boto3.client("s3", endpoint_url=endpoint or None)

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
            return True
        except ClientError:
            return False

    def names(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        start = self._key(prefix)
        cut = len(self._key(""))
        for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", []):
                yield item["Key"][cut:]

    def put(self, name: str, source: BinaryIO) -> int:
        counted = _Counting(source)
        self.client.upload_fileobj(counted, self.bucket, self._key(name))
        return counted.size

    def open(self, name: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"]
        except ClientError as exc:
            raise UserError(f"the backup at {self.uri} has no {name}") from exc

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))


class _Counting:
    def __init__(self, source: BinaryIO) -> None:
        self.source, self.size = source, 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.size += len(data)
        return data


def _destination(uri: str) -> _Folder | _Bucket:
    return _Bucket(uri) if uri.startswith("s3://") else _Folder(uri)


# --- Backup -----------------------------------------------------------------------------


def _archive_id(archive: Archive) -> str:
    with archive.session() as session:
        row = session.get(ArchiveInfo, "id")
        return row.value if row is not None else ""


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _snapshot(archive: Archive, work: Path) -> tuple[str, Path]:
    """A consistent copy of the database in ``work``: (name in the backup, file)."""
    url = archive.settings.db_url
    if _is_sqlite(url):
        source_path = url.split("///", 1)[1]
        target = work / "archive.sqlite"
        with sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
        return SQLITE_SNAPSHOT, target
    target = work / "archive.pgdump"
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    done = subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", plain],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise UserError(f"pg_dump failed: {done.stderr.strip()[-300:]}")
    return PG_SNAPSHOT, target


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise UserError(f"{name} is missing: install PostgreSQL's client tools ('make setup')")


def _snapshot_facts(snapshot: Path | None, archive: Archive) -> dict[str, Any]:
    """Blob keys and sha256s the snapshot names, its counts and schema revision."""
    if snapshot is not None and snapshot.suffix == ".sqlite":
        engine = create_engine(f"sqlite:///{snapshot}")
    else:
        engine = archive.db.engine
    with engine.connect() as connection:
        blobs = dict(connection.execute(select(Asset.blob_key, Asset.sha256)).all())
        blobs.update(dict(connection.execute(select(Rendition.blob_key, Rendition.sha256)).all()))
        facts = {
            "blobs": blobs,
            "assets": connection.execute(select(func.count()).select_from(Asset)).scalar(),
            "transcripts": connection.execute(
                select(func.count()).select_from(Transcript)
            ).scalar(),
            "revision": connection.execute(
                text("SELECT version_num FROM alembic_version")
            ).scalar(),
        }
    if snapshot is not None and snapshot.suffix == ".sqlite":
        engine.dispose()
    return facts


def backup(
    archive: Archive, destination: str, *, prune: bool = False, report: Reporter | None = None
) -> BackupResult:
    """Back the archive up to a folder or ``s3://bucket/prefix`` (incremental).

    Raises:
        UserError: the destination holds another archive's backup, a blob the snapshot names
            is missing or damaged in the store (run 'verify'), or the database cannot be read.
    """
    report = report or (lambda message: None)
    started = time.monotonic()
    target = _destination(destination)
    archive_id = _archive_id(archive)
    if target.exists(INFO):
        with target.open(INFO) as handle:
            previous = json.load(handle)
        if previous.get("archive") != archive_id:
            raise UserError(
                f"{target.uri} holds the backup of another archive ({previous.get('archive')}): "
                "choose another destination; nothing was written"
            )
    have = set(target.names("blobs/"))
    with tempfile.TemporaryDirectory(prefix="mediaarchive-backup-") as tmp:
        name, snapshot = _snapshot(archive, Path(tmp))
        facts = _snapshot_facts(snapshot if name == SQLITE_SNAPSHOT else None, archive)
        report(f"snapshot of the database: {facts['assets']} assets")
        manifest: list[str] = []
        result = BackupResult(target.uri, name, len(facts["blobs"]), 0, 0)
        purged_now = _tombstoned(archive)
        for key, sha256 in sorted(facts["blobs"].items()):
            path = f"blobs/{key}"
            if path in have:
                manifest.append(f"{sha256}  {path}")
                continue
            if not archive.store.exists(key):
                if sha256 in purged_now or key.rsplit("/", 1)[-1] in purged_now:
                    manifest.append(f"{PURGED_MARK}  {path}")
                    result.purged.append(key)
                    continue
                raise UserError(
                    f"blob {key} named by the database is missing from the store: run "
                    "'mediaarchive verify' and 'mediaarchive repair', then back up again"
                )
            try:
                with open_checked(archive.store, key, sha256) as source:
                    size = target.put(path, source)
            except StoreError as exc:
                raise UserError(
                    f"{exc}; the backup is incomplete: repair, then back up again"
                ) from exc
            result.copied += 1
            result.copied_bytes += size
            manifest.append(f"{sha256}  {path}")
            report(f"copied {key}")
        with open(snapshot, "rb") as handle:
            target.put(name, handle)
        manifest.append(f"{hash_file(snapshot)[0]}  {name}")
        other = PG_SNAPSHOT if name == SQLITE_SNAPSHOT else SQLITE_SNAPSHOT
        if target.exists(other):
            target.delete(other)
    if prune:
        named = {f"blobs/{key}" for key in facts["blobs"]}
        for path in sorted(have - named):
            target.delete(path)
            result.pruned += 1
    manifest_text = "\n".join(sorted(manifest, key=lambda line: line.split("  ", 1)[1])) + "\n"
    target.put(MANIFEST, io.BytesIO(manifest_text.encode()))
    info = {
        "archive": archive_id,
        "time": datetime.now(UTC).isoformat(),
        "version": _version(),
        "schema_revision": facts["revision"],
        "snapshot": name,
        "store": "s3" if archive.store.uri.startswith("s3://") else "local",
        "counts": {
            "assets": facts["assets"],
            "transcripts": facts["transcripts"],
            "blobs": len(facts["blobs"]),
            "purged": len(result.purged),
        },
    }
    target.put(INFO, io.BytesIO(json.dumps(info, indent=2).encode()))
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _tombstoned(archive: Archive) -> set[str]:
    with archive.session() as session:
        return set(session.scalars(select(Tombstone.sha256)))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mediaarchive")
    except PackageNotFoundError:  # pragma: no cover - a bare checkout
        return "0"


# --- Checking and restoring -------------------------------------------------------------


def _manifest(target: _Folder | _Bucket) -> list[tuple[str, str]]:
    with target.open(MANIFEST) as handle:
        lines = handle.read().decode().splitlines()
    entries = []
    for number, line in enumerate(lines, 1):
        digest, sep, path = line.partition("  ")
        if not sep or not path:
            raise UserError(f"{target.uri}/{MANIFEST} line {number} is not '<sha256>  <path>'")
        entries.append((digest, path))
    return entries


def verify_backup(source: str, report: Reporter | None = None) -> list[str]:
    """Check every file of a backup against its manifest; returns the problems (empty: the
    backup is sound)."""
    report = report or (lambda message: None)
    target = _destination(source)
    if not target.exists(INFO) or not target.exists(MANIFEST):
        return [f"{target.uri} is not a mediaarchive backup (no {INFO} or {MANIFEST})"]
    problems = []
    for digest, path in _manifest(target):
        if digest == PURGED_MARK:
            continue
        if not target.exists(path):
            problems.append(f"{path} is missing")
            continue
        with target.open(path) as handle:
            hasher = hashlib.sha256()
            while chunk := handle.read(CHUNK):  # an S3 body has no readinto
                hasher.update(chunk)
            actual = hasher.hexdigest()
        if actual != digest:
            problems.append(f"{path} does not match the manifest (sha256 {actual[:12]}…)")
        report(f"checked {path}")
    return problems


def restore_backup(archive: Archive, source: str, report: Reporter | None = None) -> RestoreResult:
    """Rebuild an archive from a backup into ``archive``'s (new or empty) home, database and
    store; every blob is verified on the way.

    Raises:
        UserError: the destination is not empty, the backup does not match its manifest, or
            its snapshot is of another database kind than the destination.
    """
    report = report or (lambda message: None)
    target = _destination(source)
    problems = verify_backup(source)
    if problems:
        raise UserError(
            f"the backup at {target.uri} does not match its manifest ({problems[0]}"
            f"{f' and {len(problems) - 1} more' if len(problems) > 1 else ''}): nothing restored"
        )
    with target.open(INFO) as handle:
        info = json.load(handle)
    url = archive.settings.db_url
    if info["snapshot"] == SQLITE_SNAPSHOT and not _is_sqlite(url):
        raise UserError("this backup holds a SQLite database: restore it into a SQLite home")
    if info["snapshot"] == PG_SNAPSHOT and _is_sqlite(url):
        raise UserError("this backup holds a PostgreSQL dump: restore it with --db postgresql://…")
    _refuse_non_empty(archive)
    entries = _manifest(target)
    blobs = 0
    for digest, path in entries:
        if digest == PURGED_MARK or not path.startswith("blobs/"):
            continue
        key = path.removeprefix("blobs/")
        with tempfile.NamedTemporaryFile(dir=archive.store.temp_dir(), delete=False) as tmp:
            with target.open(path) as handle:
                shutil.copyfileobj(handle, tmp, CHUNK)
        stored = archive.store.put_file(Path(tmp.name), move=True)
        Path(tmp.name).unlink(missing_ok=True)
        if stored.sha256 != digest:
            raise UserError(f"{path} changed while it was restored: restore again")
        blobs += 1
        report(f"restored {key}")
    _restore_database(archive, target, info["snapshot"])
    archive.db.migrate()
    from mediaarchive.services.fixity import verify_archive

    results = verify_archive(archive)
    bad = [r for r in results if r.outcome != "ok"]
    if bad:
        raise UserError(
            f"restored, but {len(bad)} blob(s) do not verify (first: {bad[0].key}): the backup "
            "is incomplete"
        )
    with archive.session() as session:
        assets = session.scalar(select(func.count()).select_from(Asset)) or 0
    return RestoreResult(target.uri, assets, blobs, len(results))


def _refuse_non_empty(archive: Archive) -> None:
    with archive.session() as session:
        count = session.scalar(select(func.count()).select_from(Asset)) or 0
    if count or next(iter(archive.store.keys()), None) is not None:
        raise UserError(
            "restore-backup needs a new or empty home (database and store): this one holds an "
            "archive already; give another --home"
        )


def _restore_database(archive: Archive, target: _Folder | _Bucket, name: str) -> None:
    with tempfile.TemporaryDirectory(prefix="mediaarchive-restore-") as tmp:
        local = Path(tmp) / Path(name).name
        with target.open(name) as handle, open(local, "wb") as out:
            shutil.copyfileobj(handle, out, CHUNK)
        url = archive.settings.db_url
        archive.db.dispose()
        if name == SQLITE_SNAPSHOT:
            path = Path(url.split("///", 1)[1])
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            with sqlite3.connect(local) as source, sqlite3.connect(path) as copy:
                source.backup(copy)
            copy.close()
            return
        plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
        done = subprocess.run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                f"--dbname={plain}",
                str(local),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise UserError(f"pg_restore failed: {done.stderr.strip()[-300:]}")
