"""delete --purge: no bytes left in the local store or in an S3 store (moto over HTTP), a
tombstone that verify accepts and that refuses a re-ingest, history values purged, the
exports that held the asset named, and a running step refused."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import boto3
import pytest

from mediaarchive import synth
from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.db import Asset, Job


def _picture(text: str) -> Path:
    return synth.text_image([text], title=text, size=(320, 180))


def _ingest(cli, picture: Path) -> str:  # type: ignore[no-untyped-def]
    result = cli("ingest", str(picture), "--event", "Labcamp 4", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)[0]["id"]


def test_purge_leaves_no_bytes_and_a_tombstone(cli, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    keep = _ingest(cli, _picture("Bleibt im Archiv"))
    gone = _ingest(cli, _picture("Anna Beispiel privat"))
    assert cli("edit", gone, "--title", "Folie von Anna Beispiel").exit_code == 0
    assert cli("export", "--event", "Labcamp 4", "--to", str(tmp_path / "bag")).exit_code == 0
    before = {p.name for p in (home / "store").rglob("*") if p.is_file()}
    refused = cli("delete", gone, "--purge", "--reason", "Einwilligung widerrufen")
    assert refused.exit_code == 1 and "nothing was changed" in refused.stderr
    done = cli("delete", gone, "--purge", "--reason", "Einwilligung widerrufen", "--yes", "--json")
    assert done.exit_code == 0, done.stderr
    purge = json.loads(done.stdout)
    assert purge["exports"][0]["destination"] == str((tmp_path / "bag").resolve())
    assert f"It is in the export {(tmp_path / 'bag').resolve()}" in done.stderr
    after = {p.name for p in (home / "store").rglob("*") if p.is_file()}
    assert purge["sha256"] not in after and purge["sha256"] in before
    assert {Path(key).name for key in purge["removed"]} == before - after
    assert all(purge["sha256"] not in p.name for p in (home / "store").rglob("*"))
    # The rest is intact and verify passes: the missing bytes are not damage.
    verified = cli("verify", "--json")
    assert verified.exit_code == 0, verified.stdout
    assert [a["id"] for a in json.loads(cli("status", "--all", "--json").stdout)] == [keep]
    assert json.loads(cli("search", "Beispiel", "--json").stdout) == []
    # No trace of the personal data in the history; the fact of the purge stays.
    with sqlite3.connect(home / "archive.db") as db:
        rows = db.execute("SELECT action, old, new, note FROM audit_records").fetchall()
    assert [row[3] for row in rows if row[0] == "purge"] == ["Einwilligung widerrufen"]
    assert not any("Anna" in str(row) for row in rows)
    # The same bytes are refused, unless forced.
    again = cli("ingest", str(_picture("Anna Beispiel privat")))
    assert again.exit_code == 1 and "were purged" in again.stderr and "--force" in again.stderr
    forced = cli("ingest", str(_picture("Anna Beispiel privat")), "--force", "--json")
    assert forced.exit_code == 0 and json.loads(forced.stdout)[0]["created"] is True
    unknown = cli("delete", "abcdef12", "--purge", "--reason", "x", "--yes")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("Error: no asset")


def test_a_running_step_is_not_deleted_under_it(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    asset_id = _ingest(cli, _picture("Noch in Arbeit"))
    # A job row marked running stands for a worker in the middle of a step (stopping a real
    # step at exactly that moment is what the kill tests do; here only the refusal counts).
    archive = Archive(Settings.load(home=home))
    with archive.session() as session:
        asset = session.query(Asset).one()
        job = session.query(Job).filter(Job.asset_id == asset.id).first()
        job.state = "running"
    archive.close()
    refused = cli("delete", asset_id, "--purge", "--reason", "x", "--yes")
    assert refused.exit_code == 1
    assert "being processed now" in refused.stderr and "nothing" in refused.stderr
    assert json.loads(cli("status", "--json").stdout)[0]["id"] == asset_id


@pytest.fixture
def s3_home(home: Path, s3_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    bucket = f"purge-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=s3_env).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    monkeypatch.setenv("MEDIAARCHIVE_STORE", f"s3://{bucket}/blobs")
    return bucket


def test_purge_removes_the_objects_of_an_s3_store(cli, s3_home: str, s3_env: str) -> None:  # type: ignore[no-untyped-def]
    keep = _ingest(cli, _picture("S3 bleibt"))
    gone = _ingest(cli, _picture("S3 geht"))
    client = boto3.client("s3", endpoint_url=s3_env)

    def objects() -> set[str]:
        listed = client.list_objects_v2(Bucket=s3_home).get("Contents", [])
        return {item["Key"] for item in listed}

    before = objects()
    done = cli("delete", gone, "--purge", "--reason", "Einwilligung widerrufen", "--yes", "--json")
    assert done.exit_code == 0, done.stderr
    removed = {f"blobs/{key}" for key in json.loads(done.stdout)["removed"]}
    assert removed and removed <= before
    assert objects() == before - removed
    assert not any(gone in key for key in objects())
    assert cli("verify").exit_code == 0
    assert [a["id"] for a in json.loads(cli("status", "--json").stdout)] == [keep]
