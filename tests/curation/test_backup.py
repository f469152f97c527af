"""backup, restore-backup and verify --backup: a backup restored into a new home verifies and
answers searches as the original did; a second backup copies nothing; a backup while 'run'
works; --prune after a purge; another archive's destination, a damaged backup and a
non-empty home refused; an S3 destination (moto over HTTP); PostgreSQL (pg_dump)."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import boto3
import pytest

from mediaarchive import synth
from tests.helpers import cli_command, run_cli, wait_until

TEXTS = ("Sicherung Stadtlabor", "Sicherung Verwaltung", "Sicherung Rathaus")


def _fill(home: Path, *options: str, texts: tuple[str, ...] = TEXTS) -> list[str]:
    ids = []
    for text in texts:
        picture = synth.text_image([text], title=text, size=(320, 180))
        result = run_cli(
            "--home",
            str(home),
            *options,
            "ingest",
            str(picture),
            "--event",
            "Labcamp 4",
            "--json",
        )
        assert result.exit_code == 0, result.stderr
        ids.append(json.loads(result.stdout)[0]["id"])
    return ids


def _hits(home: Path, *options: str, query: str = "Sicherung") -> list[tuple[str, str]]:
    result = run_cli("--home", str(home), *options, "search", query, "--json")
    return sorted((hit["asset_id"], hit["snippet"]) for hit in json.loads(result.stdout))


def test_backup_restore_verify_and_a_second_backup_copies_nothing(tmp_path: Path) -> None:
    home, target = tmp_path / "home", tmp_path / "backup"
    _fill(home)
    hits = _hits(home)
    assert len(hits) == 3
    first = run_cli("--home", str(home), "backup", "--to", str(target), "--json")
    assert first.exit_code == 0, first.stderr
    done = json.loads(first.stdout)
    assert done["copied"] == done["blobs"] == 6  # 3 originals, 3 thumbnails
    info = json.loads((target / "backup.json").read_text())
    assert info["counts"]["assets"] == 3 and info["schema_revision"].startswith("00")
    second = json.loads(
        run_cli("--home", str(home), "backup", "--to", str(target), "--json").stdout
    )
    assert (second["copied"], second["copied_bytes"]) == (0, 0)
    checked = run_cli("--home", str(home), "verify", "--backup", str(target))
    assert checked.exit_code == 0 and "every file matches" in checked.stderr
    shutil.rmtree(home)
    restored = tmp_path / "restored"
    back = run_cli("--home", str(restored), "restore-backup", str(target), "--json")
    assert back.exit_code == 0, back.stderr
    assert json.loads(back.stdout)["assets"] == 3
    assert run_cli("--home", str(restored), "verify").exit_code == 0
    assert _hits(restored) == hits
    again = run_cli("--home", str(restored), "restore-backup", str(target))
    assert again.exit_code == 1 and "new or empty home" in again.stderr


def test_a_damaged_backup_and_another_archives_destination_are_refused(tmp_path: Path) -> None:
    home, target = tmp_path / "home", tmp_path / "backup"
    _fill(home, texts=TEXTS[:1])
    assert run_cli("--home", str(home), "backup", "--to", str(target)).exit_code == 0
    other = tmp_path / "other"
    _fill(other, texts=("Ein anderes Archiv",))
    before = sorted(p.name for p in target.rglob("*"))
    refused = run_cli("--home", str(other), "backup", "--to", str(target))
    assert refused.exit_code == 1 and "another archive" in refused.stderr
    assert sorted(p.name for p in target.rglob("*")) == before
    blob = next(p for p in (target / "blobs").rglob("*") if p.is_file())
    blob.chmod(0o644)
    blob.write_bytes(blob.read_bytes()[:-1] + b"!")
    checked = run_cli("--home", str(home), "verify", "--backup", str(target))
    assert checked.exit_code == 1 and "does not match the manifest" in checked.stderr
    restored = run_cli("--home", str(tmp_path / "new"), "restore-backup", str(target))
    assert restored.exit_code == 1 and "nothing restored" in restored.stderr
    assert not run_cli("--home", str(tmp_path / "new"), "status", "--json").stdout.strip("[]\n ")


def test_prune_after_a_purge_takes_the_bytes_out_of_the_backup(tmp_path: Path) -> None:
    home, target = tmp_path / "home", tmp_path / "backup"
    ids = _fill(home)
    assert run_cli("--home", str(home), "backup", "--to", str(target)).exit_code == 0
    purged = run_cli(
        "--home",
        str(home),
        "delete",
        ids[1],
        "--purge",
        "--reason",
        "Einwilligung widerrufen",
        "--yes",
        "--json",
    )
    sha256 = json.loads(purged.stdout)["sha256"]
    kept = json.loads(run_cli("--home", str(home), "backup", "--to", str(target), "--json").stdout)
    assert kept["pruned"] == 0 and any(sha256 in p.name for p in target.rglob("*"))
    pruned = run_cli("--home", str(home), "backup", "--to", str(target), "--prune", "--json")
    assert json.loads(pruned.stdout)["pruned"] == 2  # the original and its thumbnail
    assert not any(sha256 in p.name for p in target.rglob("*"))
    assert sha256 not in (target / "manifest-sha256.txt").read_text()
    restored = tmp_path / "restored"
    assert run_cli("--home", str(restored), "restore-backup", str(target)).exit_code == 0
    listed = json.loads(run_cli("--home", str(restored), "status", "--all", "--json").stdout)
    assert sorted(a["id"] for a in listed) == sorted([ids[0], ids[2]])


def test_backup_while_run_works(tmp_path: Path) -> None:
    home, target = tmp_path / "home", tmp_path / "backup"
    texts = tuple(f"Laufende Sicherung {n}" for n in range(6))
    for number, text in enumerate(texts):
        picture = synth.text_image([text], title=text, size=(320 + number, 180))
        assert run_cli("--home", str(home), "ingest", str(picture), "--no-process").exit_code == 0
    runner = subprocess.Popen(
        cli_command("--home", str(home), "run"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        # Once the first asset is done and others are still to do, back up.
        wait_until(
            lambda: any(
                a["state"] == "done"
                for a in json.loads(run_cli("--home", str(home), "status", "--json").stdout)
            ),
            timeout=120,
            message="no asset was processed",
        )
        during = run_cli("--home", str(home), "backup", "--to", str(target), "--json")
        assert during.exit_code == 0, during.stderr
    finally:
        assert runner.wait(timeout=300) == 0
    assert run_cli("--home", str(home), "verify", "--backup", str(target)).exit_code == 0
    restored = tmp_path / "restored"
    assert run_cli("--home", str(restored), "restore-backup", str(target)).exit_code == 0
    assert run_cli("--home", str(restored), "verify").exit_code == 0
    listed = json.loads(run_cli("--home", str(restored), "status", "--json").stdout)
    assert len(listed) == len(texts)


def test_backup_to_and_restore_from_s3(tmp_path: Path, s3_env: str) -> None:
    bucket = f"backup-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=s3_env)
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    home = tmp_path / "home"
    _fill(home, texts=TEXTS[:2])
    hits = _hits(home)
    target = f"s3://{bucket}/archive"
    first = json.loads(run_cli("--home", str(home), "backup", "--to", target, "--json").stdout)
    assert first["copied"] == 4
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    assert {
        "archive/backup.json",
        "archive/manifest-sha256.txt",
        "archive/db/archive.sqlite",
    } <= keys
    second = json.loads(run_cli("--home", str(home), "backup", "--to", target, "--json").stdout)
    assert second["copied"] == 0
    assert run_cli("--home", str(home), "verify", "--backup", target).exit_code == 0
    restored = tmp_path / "restored"
    assert run_cli("--home", str(restored), "restore-backup", target).exit_code == 0
    assert _hits(restored) == hits


@pytest.mark.slow
def test_backup_and_restore_on_postgresql(tmp_path: Path, postgres_server) -> None:  # type: ignore[no-untyped-def]
    source_db = postgres_server.create_database()
    target_db = postgres_server.create_database()
    try:
        home, target = tmp_path / "home", tmp_path / "backup"
        _fill(home, "--db", source_db, texts=TEXTS[:2])
        hits = _hits(home, "--db", source_db)
        done = run_cli("--home", str(home), "--db", source_db, "backup", "--to", str(target))
        assert done.exit_code == 0, done.stderr
        assert (target / "db" / "archive.pgdump").is_file()
        restored = tmp_path / "restored"
        back = run_cli("--home", str(restored), "--db", target_db, "restore-backup", str(target))
        assert back.exit_code == 0, back.stderr
        assert _hits(restored, "--db", target_db) == hits
        into_sqlite = run_cli("--home", str(tmp_path / "lite"), "restore-backup", str(target))
        assert into_sqlite.exit_code == 1 and "PostgreSQL dump" in into_sqlite.stderr
    finally:
        postgres_server.drop_database(source_db)
        postgres_server.drop_database(target_db)
