"""Export from an archive whose store is an S3 bucket (originals streamed out of S3)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import bagit
import boto3
import pytest


@pytest.fixture
def archive(home: Path, s3_env: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """An archive on an S3 store (the CLI of the test sees the same store)."""
    from mediaarchive.archive import Archive
    from mediaarchive.config import Settings

    bucket = f"archive-store-{uuid.uuid4().hex[:8]}"  # the moto server lives for the session
    boto3.client("s3", endpoint_url=s3_env).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    monkeypatch.setenv("MEDIAARCHIVE_STORE", f"s3://{bucket}/blobs")
    arc = Archive(Settings.load(home=home))
    yield arc
    arc.close()


def test_export_streams_originals_out_of_an_s3_store(
    cli, archive, transcribed_asset, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    assert archive.store.uri.startswith("s3://")
    asset_id = transcribed_asset()
    target = tmp_path / "bag"
    result = cli("export", "--event", "Labcamp 4", "--to", str(target))
    assert result.exit_code == 0, result.output
    bagit.Bag(str(target)).validate()
    meta = json.loads((target / "data" / asset_id / "metadata.json").read_text())
    original = target / "data" / asset_id / meta["files"]["original"]
    assert original.read_bytes().startswith(b"original media")
    assert meta["dublin_core"]["dc:identifier"].startswith(f"sha256:{asset_id}")


def test_a_corrupt_object_in_the_s3_store_stops_the_export(
    cli, archive, transcribed_asset, tmp_path: Path, s3_env: str
) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    shown = json.loads(cli("show", asset_id, "--json").stdout)
    bucket, key = shown["original"]["uri"].removeprefix("s3://").split("/", 1)
    boto3.client("s3", endpoint_url=s3_env).put_object(
        Bucket=bucket, Key=key, Body=b"original media, one byte rotted"
    )
    target = tmp_path / "bag"
    result = cli("export", "--event", "Labcamp 4", "--to", str(target))
    assert result.exit_code == 1
    assert f"asset {asset_id} is damaged" in result.stderr and "corrupt" in result.stderr
    assert not target.exists()
    status = json.loads(cli("status", "--json").stdout)
    assert [row["damaged"] for row in status] == [True]
