"""The S3 archive store against a real S3-compatible HTTP server (moto's)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.errors import ConfigError, StoreError
from mediaarchive.store import MIN_PART_SIZE, S3Store, blob_key, open_store


@pytest.fixture
def bucket_uri(s3_env: str) -> str:
    """A fresh bucket (created by the store on first write) with a prefix."""
    return f"s3://archive-{uuid.uuid4().hex[:12]}/talks/2026"


def _file(tmp_path: Path, data: bytes, name: str = "blob.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_put_stores_under_content_addressed_key_and_reads_back(
    bucket_uri: str, tmp_path: Path
) -> None:
    store = S3Store(bucket_uri)
    data = b"Innovationslabor " * 1000
    sha = hashlib.sha256(data).hexdigest()

    blob = store.put_file(_file(tmp_path, data))

    assert blob.key == blob_key(sha) and blob.sha256 == sha and blob.size == len(data)
    assert store.exists(blob.key)
    assert not store.exists(blob_key("0" * 64))
    assert store.local_path(blob.key) is None
    assert store.uri_for(blob.key) == f"{bucket_uri}/{blob.key}"
    assert list(store.keys()) == [blob.key]
    with store.open(blob.key) as handle:
        assert handle.read() == data
    # The object really sits under the prefix in the bucket, with its sha256 as metadata.
    bucket, prefix = bucket_uri.removeprefix("s3://").split("/", 1)
    head = boto3.client("s3").head_object(Bucket=bucket, Key=f"{prefix}/{blob.key}")
    assert head["Metadata"]["sha256"] == sha


def test_materialize_gives_a_temporary_local_copy(bucket_uri: str, tmp_path: Path) -> None:
    store = S3Store(bucket_uri)
    data = os.urandom(300_000)
    blob = store.put_file(_file(tmp_path, data))

    with store.materialize(blob.key) as path:
        assert path.read_bytes() == data
    assert not path.exists(), "the temporary copy must be removed afterwards"


def test_same_bytes_twice_are_one_object_and_move_removes_the_source(
    bucket_uri: str, tmp_path: Path
) -> None:
    store = S3Store(bucket_uri)
    first = store.put_file(_file(tmp_path, b"same bytes", "a.bin"))
    source = _file(tmp_path, b"same bytes", "b.bin")
    second = store.put_file(source, move=True)

    assert first == second
    assert list(store.keys()) == [first.key]
    assert not source.exists()


def test_big_file_goes_up_in_verified_parts(bucket_uri: str, tmp_path: Path) -> None:
    store = S3Store(bucket_uri, part_size=MIN_PART_SIZE)
    data = os.urandom(2 * MIN_PART_SIZE + 12345)
    blob = store.put_file(_file(tmp_path, data))

    bucket, prefix = bucket_uri.removeprefix("s3://").split("/", 1)
    head = boto3.client("s3").head_object(Bucket=bucket, Key=f"{prefix}/{blob.key}")
    assert head["ETag"].strip('"').endswith("-3"), "uploaded as three parts"
    assert head["ContentLength"] == len(data)
    with store.materialize(blob.key) as path:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == blob.sha256


def test_wrong_checksum_is_refused_and_nothing_is_stored(bucket_uri: str, tmp_path: Path) -> None:
    store = S3Store(bucket_uri)
    with pytest.raises(StoreError, match="expected sha256"):
        store.put_file(_file(tmp_path, b"actual bytes"), sha256="f" * 64)
    assert list(store.keys()) == []


def test_corrupted_object_is_detected_on_download(bucket_uri: str, tmp_path: Path) -> None:
    store = S3Store(bucket_uri)
    blob = store.put_file(_file(tmp_path, b"original talk"))
    bucket, prefix = bucket_uri.removeprefix("s3://").split("/", 1)
    boto3.client("s3").put_object(Bucket=bucket, Key=f"{prefix}/{blob.key}", Body=b"bitrot")

    with pytest.raises(StoreError, match="corrupt"), store.materialize(blob.key):
        pass


def test_missing_blob_names_the_key(bucket_uri: str) -> None:
    store = S3Store(bucket_uri)
    store.ensure_bucket()
    with pytest.raises(StoreError, match="missing"):
        store.open(blob_key("a" * 64))


def test_archive_opens_an_s3_store_from_settings(
    s3_endpoint: str, s3_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store's own endpoint setting wins over boto3's generic variable.
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    monkeypatch.setenv("MEDIAARCHIVE_STORE_ENDPOINT_URL", s3_endpoint)
    uri = f"s3://archive-{uuid.uuid4().hex[:12]}"
    archive = Archive(Settings.load(home=tmp_path / "home", store=uri))
    try:
        blob = archive.store.put_file(_file(tmp_path, b"keynote"))
        assert archive.store.uri == uri
        assert archive.store.exists(blob.key)
    finally:
        archive.close()


def test_verify_rehashes_the_blobs_on_s3_and_finds_a_changed_one(
    s3_endpoint: str, s3_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediaarchive.services.fixity import verify_archive
    from mediaarchive.services.ingest import ingest_sources

    monkeypatch.setenv("MEDIAARCHIVE_STORE_ENDPOINT_URL", s3_endpoint)
    uri = f"s3://archive-{uuid.uuid4().hex[:12]}"
    archive = Archive(Settings.load(home=tmp_path / "home", store=uri))
    try:
        [result] = ingest_sources(archive, [str(_file(tmp_path, os.urandom(300_000), "a.bin"))])
        assert [check.outcome for check in verify_archive(archive)] == ["ok"]
        store = archive.store
        key = next(store.keys())
        store.client.put_object(Bucket=store.bucket, Key=key, Body=b"bit rot")
        [check] = verify_archive(archive)
        assert check.outcome == "corrupt" and check.asset_id == result.id
        assert check.actual_sha256 == hashlib.sha256(b"bit rot").hexdigest()
    finally:
        archive.close()


def test_not_an_s3_uri_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="s3://bucket/prefix"):
        S3Store("s3:///nobucket")
    assert isinstance(open_store("s3://bucket-x/p", endpoint_url="http://x"), S3Store)


def test_open_range_reads_only_the_asked_bytes(bucket_uri: str, tmp_path: Path) -> None:
    store = S3Store(bucket_uri)
    data = bytes(range(256)) * 100
    blob = store.put_file(_file(tmp_path, data))
    # What went over the wire to the S3 server and what it answered, seen by boto3's hooks.
    sent: list[str | None] = []
    answered: list[tuple[int, str]] = []
    events = store.client.meta.events
    events.register(
        "before-send.s3.GetObject", lambda request, **_: sent.append(request.headers.get("Range"))
    )
    events.register(
        "after-call.s3.GetObject",
        lambda parsed, **_: answered.append((parsed["ContentLength"], parsed["ContentRange"])),
    )
    with store.open_range(blob.key, 1000, 1023) as handle:
        assert handle.read() == data[1000:1024]
    # (A retry would send the same header again: only the header is asserted, not the count.)
    assert {value.decode() if isinstance(value, bytes) else value for value in sent} == {
        "bytes=1000-1023"
    }
    assert answered[-1] == (24, "bytes 1000-1023/25600")


def test_web_range_requests_on_an_s3_store_get_the_right_bytes(
    bucket_uri: str, tmp_path: Path
) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from mediaarchive.web.ranges import blob_response

    store = S3Store(bucket_uri)
    data = os.urandom(200_000)
    blob = store.put_file(_file(tmp_path, data))

    def media(request: Request):  # type: ignore[no-untyped-def]
        return blob_response(
            request, store, blob.key, size=blob.size, sha256=blob.sha256, mime="video/mp4"
        )

    client = TestClient(Starlette(routes=[Route("/media", media, methods=["GET", "HEAD"])]))
    assert client.get("/media").content == data
    seek = client.get("/media", headers={"Range": "bytes=150000-150999"})
    assert seek.status_code == 206 and seek.content == data[150000:151000]
    tail = client.get("/media", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]


def test_a_local_store_starts_without_the_s3_code_or_boto3(tmp_path: Path) -> None:
    # A fresh interpreter: this test process has long imported boto3 for the fixtures.
    code = (
        "import sys\n"
        "from mediaarchive.store import LocalStore, open_store\n"
        f"assert isinstance(open_store({str(tmp_path)!r}), LocalStore)\n"
        "loaded = {'boto3', 'botocore', 'mediaarchive.store.s3'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 0, result.stderr
