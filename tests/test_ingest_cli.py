"""Ingest from the command line: pages, exports, manifests, folders; status, show, events,
verify. What the archivist sees: the lines, the JSON, the exit codes, the archive's contents."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from contextlib import closing
from pathlib import Path

import bagit
import pytest
import webvtt

from tests.conftest import REPO
from tests.fixtures.sources import S3Objects

SEED = REPO / "mediaarchive" / "demo_data" / "000_8e33b6325b9cc12a.txt"
SEED_BUCKET = "secure.notion-static.com"
SEED_KEYS = {
    "744d0a34-7b33-4d0e-9e7f-d01400ae8607/004.png": "png",
    "98ed1c4d-7267-4d93-9a9b-7c03b74bf0bd/Bildschirmfoto_2021-07-13_um_13.22.18.png": "other_png",
    "5003814a-259b-4a07-89ec-3c5d9230cc69/Labcamp4_Hallerberg.mp4": "mp4",
}

pytestmark = pytest.mark.usefixtures("fast_retries")


@pytest.fixture
def seed_bucket(s3_env: str, s3_objects: S3Objects, media) -> dict[str, str]:
    """The seed's bucket and keys on the local endpoint; sha256 by file name."""
    client = s3_objects.client
    existing = {b["Name"] for b in client.list_buckets()["Buckets"]}
    if SEED_BUCKET not in existing:
        client.create_bucket(
            Bucket=SEED_BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
        )
    hashes = {}
    for key, attr in SEED_KEYS.items():
        data = getattr(media, attr)
        s3_objects.put(SEED_BUCKET, key, data)
        hashes[key.rsplit("/", 1)[-1]] = hashlib.sha256(data).hexdigest()
    return hashes


def run_json(cli, *args: str):  # type: ignore[no-untyped-def]
    result = cli(*args, "--json")
    return result, json.loads(result.stdout)


def test_seed_page_is_archived_with_its_context(cli, seed_bucket) -> None:
    result, entries = run_json(cli, "ingest", str(SEED), "--event", "Labcamp 4", "--no-process")
    assert result.exit_code == 0, result.stderr
    by_title = {e["title"]: e for e in entries}
    assert set(by_title) == {"004.png", "StadtLABOR Soest", "Hertie School of Governance Berlin"}
    assert {e["event"] for e in entries} == {"Labcamp 4"}
    assert {e["state"] for e in entries} == {"queued"}
    video = by_title["Hertie School of Governance Berlin"]
    assert video["kind"] == "video"
    assert video["sha256"] == seed_bucket["Labcamp4_Hallerberg.mp4"]
    assert by_title["StadtLABOR Soest"]["kind"] == "image"
    assert "3 asset(s): 3 new, 0 already archived" in result.stderr

    detail = json.loads(cli("show", video["id"], "--json").stdout)
    assert "Good Governance" in detail["description"]
    assert detail["source_urls"] == [
        "https://s3-us-west-2.amazonaws.com/secure.notion-static.com/"
        "5003814a-259b-4a07-89ec-3c5d9230cc69/Labcamp4_Hallerberg.mp4"
    ]
    for key in (
        "id",
        "sha256",
        "kind",
        "size",
        "mime",
        "title",
        "event",
        "events",
        "speakers",
        "source_urls",
        "probe",
        "renditions",
        "transcript",
        "transcripts",
        "ocr",
    ):
        assert key in detail
    assert detail["mime"] == "video/mp4"
    assert Path(detail["original"]["path"]).read_bytes()[4:8] == b"ftyp"

    status = cli("status")
    lines = [
        line for line in status.stdout.strip().splitlines() if not line.startswith("    ")
    ]  # indented lines list each asset's steps
    assert len(lines) == 3
    assert "    fetch done" in status.stdout
    assert any(
        line.startswith(video["id"])
        and "video" in line
        and "Hertie School" in line
        and "[Labcamp 4]" in line
        and line.endswith("queued")
        for line in lines
    )
    events = json.loads(cli("events", "--json").stdout)
    assert events[0]["name"] == "Labcamp 4" and events[0]["assets"] == 3
    assert events[0]["page_links"] == [
        {"url": "https://stadtlabor-soest.de/", "heading": "StadtLABOR Soest"}
    ]


def archive_rows(home: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables an ingest writes, read straight from the SQLite file."""
    with closing(sqlite3.connect(home / "archive.db")) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name.startswith(("assets", "asset_", "events", "source", "page_links", "jobs"))
        ]
        assert {"assets", "events", "source_links", "jobs"} <= set(tables), tables
        return {name: db.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall() for name in tables}


def test_reingest_changes_nothing_and_says_so(cli, home, seed_bucket) -> None:
    first, _ = run_json(cli, "ingest", str(SEED), "--no-process")
    rows_before = archive_rows(home)
    assert len(rows_before["assets"]) == 3 and len(rows_before["jobs"]) == 3
    second, entries = run_json(cli, "ingest", str(SEED), "--no-process")
    assert second.exit_code == 0
    assert [e["created"] for e in entries] == [False, False, False]
    assert {e["event"] for e in entries} == {"000_8e33b6325b9cc12a"}  # the file's name
    assert "0 new, 3 already archived" in second.stderr
    status = json.loads(cli("status", "--json").stdout)
    assert len(status) == 3
    assert all(len(s["steps"]) == 1 and s["steps"][0]["name"] == "fetch" for s in status)
    assert archive_rows(home) == rows_before


def test_same_bytes_from_two_pages_is_one_asset_in_two_events(
    cli, tmp_path, seed_bucket, flaky_server, media
) -> None:
    other = tmp_path / "Labcamp 5.md"
    copy_url = flaky_server.add("/copy/keynote.mp4", media.mp4)
    other.write_text(
        f"# Labcamp 5\n\n## Rückblick\n\n[Keynote]({copy_url})\n\nDie Keynote vom letzten Mal.\n",
        encoding="utf-8",
    )
    run_json(cli, "ingest", str(SEED), "--event", "Labcamp 4", "--no-process")
    result, entries = run_json(cli, "ingest", str(other), "--no-process")
    assert result.exit_code == 0, result.stderr
    assert entries[0]["created"] is False and entries[0]["event"] == "Labcamp 5"
    detail = json.loads(cli("show", entries[0]["id"], "--json").stdout)
    assert detail["events"] == ["Labcamp 4", "Labcamp 5"]
    assert len(detail["source_urls"]) == 2
    assert len(json.loads(cli("status", "--json").stdout)) == 3
    assert len(json.loads(cli("status", "--event", "Labcamp 5", "--json").stdout)) == 1
    assert len(json.loads(cli("status", "--kind", "image", "--json").stdout)) == 2


def test_notion_zip_export(cli, tmp_path, media) -> None:
    export = tmp_path / "Export-1234.zip"
    page = (
        "# Labcamp 7\n\nWillkommen.\n\n## Tafelbild\n\n"
        "![Tafel](Labcamp%207%20abcdefabcdefabcdefabcdefabcdefab/Tafel.png)\n\n"
        "Die Ergebnisse der Gruppen.\n\n## Mitschnitt\n\n"
        "[Labcamp7.mp4](Labcamp%207%20abcdefabcdefabcdefabcdefabcdefab/Labcamp7.mp4)\n\n"
        "Siehe auch [die Website](https://example.org/labcamp).\n"
    )
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("Labcamp 7 abcdefabcdefabcdefabcdefabcdefab.md", page)
        archive.writestr("Labcamp 7 abcdefabcdefabcdefabcdefabcdefab/Tafel.png", media.png)
        archive.writestr("Labcamp 7 abcdefabcdefabcdefabcdefabcdefab/Labcamp7.mp4", media.mp4)
    result, entries = run_json(cli, "ingest", str(export), "--no-process")
    assert result.exit_code == 0, result.stderr
    assert [(e["title"], e["kind"], e["event"]) for e in entries] == [
        ("Tafelbild", "image", "Labcamp 7"),
        ("Mitschnitt", "video", "Labcamp 7"),
    ]
    assert entries[0]["source_url"] == (
        f"{export}!/Labcamp 7 abcdefabcdefabcdefabcdefabcdefab/Tafel.png"
    )
    detail = json.loads(cli("show", entries[0]["id"], "--json").stdout)
    assert detail["description"].startswith("Die Ergebnisse der Gruppen.")
    events = json.loads(cli("events", "--json").stdout)
    assert events[0]["page_links"][0]["url"] == "https://example.org/labcamp"


def test_notion_html_export_with_a_broken_link(cli, tmp_path, seed_bucket) -> None:
    page = tmp_path / "Labcamp 4 Rückblick.html"
    page.write_text(
        "<html><head><title>Labcamp 4 Rückblick</title></head><body>"
        "<h1 class='page-title'>Labcamp 4 Rückblick</h1><h2>Keynote</h2>"
        "<p><a href='https://secure.notion-static.com.s3.us-west-2.amazonaws.com/"
        "5003814a-259b-4a07-89ec-3c5d9230cc69/Labcamp4_Hallerberg.mp4'>Video</a></p>"
        "<p>Prof. Hallerberg über Innovationslabore.</p><h2>Fehlt</h2>"
        "<p><a href='s3://secure.notion-static.com/nicht-da.png'>Bild</a></p>"
        "</body></html>",
        encoding="utf-8",
    )
    result, entries = run_json(cli, "ingest", str(page), "--no-process")
    assert result.exit_code == 1
    assert entries[0]["title"] == "Keynote" and entries[0]["event"] == "Labcamp 4 Rückblick"
    assert entries[0]["sha256"] == seed_bucket["Labcamp4_Hallerberg.mp4"]
    assert entries[1]["error"].startswith(
        "s3://secure.notion-static.com/nicht-da.png: not found (404"
    )
    assert "linked from Labcamp 4 Rückblick.html" in result.stderr


def test_manifests_with_a_bad_row(cli, tmp_path, flaky_server, media) -> None:
    png = flaky_server.add("/board.png", media.png)
    video = tmp_path / "talk.mp4"
    video.write_bytes(media.mp4)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "url,event,title,speakers,date,language,room\n"
        f"{png},Labcamp 8,Tafel,,2021-07-13,de,Aula\n"
        ",Labcamp 8,ohne Link,,,,\n"
        "talk.mp4,Labcamp 8,Vortrag,Anna Beispiel; Ben Muster,2021-07-13,de,\n",
        encoding="utf-8",
    )
    result, entries = run_json(cli, "ingest", str(manifest), "--no-process")
    assert result.exit_code == 1
    assert "Error: manifest.csv line 3: the entry has no url; add one" in result.stderr
    good = [e for e in entries if not e["error"]]
    assert [(e["title"], e["kind"]) for e in good] == [("Tafel", "image"), ("Vortrag", "video")]
    detail = json.loads(cli("show", good[1]["id"], "--json").stdout)
    assert detail["speakers"] == ["Anna Beispiel", "Ben Muster"]
    assert detail["language"] == "de" and detail["date"] == "2021-07-13"
    tafel = json.loads(cli("show", good[0]["id"], "--json").stdout)
    assert tafel["metadata"]["room"] == "Aula"
    events = json.loads(cli("events", "--json").stdout)
    assert events == [
        {
            "name": "Labcamp 8",
            "date": "2021-07-13",
            "assets": 2,
            "source": str(manifest),
            "description": None,
            "page_links": [],
        }
    ]


def test_yaml_manifest_and_cli_defaults(cli, tmp_path, media) -> None:
    (tmp_path / "a.png").write_bytes(media.png)
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "- url: a.png\n  title: Tafel\n  photographer: Jo\n- url: [x]\n", encoding="utf-8"
    )
    result, entries = run_json(
        cli,
        "ingest",
        str(manifest),
        "--event",
        "Labcamp 9",
        "--speaker",
        "Anna",
        "--language",
        "de",
        "--no-process",
    )
    assert result.exit_code == 1
    assert "m.yaml line 4: the entry has no url" in result.stderr
    assert entries[1]["event"] == "Labcamp 9"
    detail = json.loads(cli("show", entries[1]["id"], "--json").stdout)
    assert detail["speakers"] == ["Anna"] and detail["metadata"]["photographer"] == "Jo"


def test_local_folder_and_explicit_metadata(cli, tmp_path, media) -> None:
    folder = tmp_path / "fotos"
    (folder / "tag2").mkdir(parents=True)
    (folder / "eins.png").write_bytes(media.png)
    (folder / "tag2" / "zwei.png").write_bytes(media.other_png)
    (folder / "tag2" / "kopie.png").write_bytes(media.png)
    (folder / ".DS_Store").write_bytes(b"junk")
    result, entries = run_json(
        cli, "ingest", str(folder), "--event", "Fotos", "--date", "2021-07-13", "--no-process"
    )
    assert result.exit_code == 0, result.stderr
    assert [e["created"] for e in entries] == [True, False, True]
    assert len(json.loads(cli("status", "--json").stdout)) == 2
    events = json.loads(cli("events", "--json").stdout)
    assert (events[0]["name"], events[0]["date"], events[0]["assets"]) == ("Fotos", "2021-07-13", 2)


def test_missing_path_and_unknown_id(cli) -> None:
    result = cli("ingest", "/no/such/file.mp4")
    assert result.exit_code == 1
    assert "Error: /no/such/file.mp4: no such file or folder" in result.stderr
    result = cli("show", "abcdef")
    assert result.exit_code == 1 and "no asset with id abcdef" in result.stderr


def test_concurrent_ingests_of_the_same_bytes_make_one_asset(home, tmp_path, media) -> None:
    sources = []
    for i in range(3):
        path = tmp_path / f"copy{i}.mp4"
        path.write_bytes(media.mp4)
        sources.append(path)
    env = {**os.environ, "MEDIAARCHIVE_HOME": str(home)}
    # Create the schema first so the racers compete on the asset row, not on migrations.
    subprocess.run(
        [sys.executable, "-m", "mediaarchive", "status"], env=env, check=True, capture_output=True
    )
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "mediaarchive", "ingest", "--no-process", "--json", str(path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in sources
    ]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0, 0], [err for _, err in outputs]
    entries = [json.loads(out)[0] for out, _ in outputs]
    assert len({e["sha256"] for e in entries}) == 1
    assert sorted(e["created"] for e in entries) == [False, False, True]
    status = subprocess.run(
        [sys.executable, "-m", "mediaarchive", "show", entries[0]["id"], "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(json.loads(status.stdout)["source_urls"]) == 3


def test_verify_detects_missing_and_corrupt_blobs(cli, home, tmp_path, media) -> None:
    (tmp_path / "a.png").write_bytes(media.png)
    (tmp_path / "b.png").write_bytes(media.other_png)
    _, entries = run_json(
        cli, "ingest", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "--no-process"
    )
    ok = cli("verify")
    assert ok.exit_code == 0 and "verified 2 blob(s): 2 ok, 0 missing, 0 corrupt" in ok.stderr
    first = Path(json.loads(cli("show", entries[0]["id"], "--json").stdout)["original"]["path"])
    second = Path(json.loads(cli("show", entries[1]["id"], "--json").stdout)["original"]["path"])
    first.chmod(0o644)
    with open(first, "r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00\x01\x02")
    second.unlink()
    result, checks = run_json(cli, "verify")
    assert result.exit_code == 1
    assert (
        f"asset {entries[0]['id']}: original blob" in result.stderr and "corrupt" in result.stderr
    )
    assert (
        f"asset {entries[1]['id']}: original blob" in result.stderr and "missing" in result.stderr
    )
    # Local files are fetched side by side, so the assets' order is not the arguments'.
    assert {c["asset_id"]: c["outcome"] for c in checks} == {
        entries[0]["id"]: "corrupt",
        entries[1]["id"]: "missing",
    }
    # Every check is on record.
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{home / 'archive.db'}")
    with engine.connect() as connection:
        outcomes = (
            connection.execute(text("SELECT outcome FROM fixity_events ORDER BY id"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert outcomes[:2] == ["ok", "ok"] and sorted(outcomes[2:]) == ["corrupt", "missing"]


@pytest.mark.slow
def test_demo_archives_the_seed(cli, home) -> None:
    if not shutil.which("espeak-ng") or not shutil.which("ffmpeg"):
        pytest.fail("espeak-ng and ffmpeg are needed: run 'make setup'")
    result = cli("demo", "--event", "Labcamp 4")
    assert result.exit_code == 0, result.stderr
    assert "Hertie School of Governance Berlin" in result.stdout
    assert "AWS_ENDPOINT_URL_S3" not in os.environ or "127.0.0.1" not in os.environ.get(
        "AWS_ENDPOINT_URL_S3", ""
    )
    status = json.loads(cli("status", "--json").stdout)
    assert sorted(s["kind"] for s in status) == ["image", "image", "video"]
    assert {s["event"] for s in status} == {"Labcamp 4"}
    assert {s["state"] for s in status} == {"done"}  # the demo processed what it ingested
    [keynote] = [s["id"] for s in status if s["kind"] == "video"]
    renditions = json.loads(cli("show", keynote, "--json").stdout)["renditions"]
    assert {(r["kind"], r["mime"]) for r in renditions} >= {
        ("proxy", "video/mp4"),
        ("poster", "image/jpeg"),
        ("subtitles", "text/vtt; charset=utf-8"),
    }
    # The keynote's words (what Whisper reliably hears in the synthetic voice).
    transcript = cli("subtitles", keynote, "--format", "txt").stdout.lower()
    for word in ("hertie school", "berlin", "verwaltung", "gemeinsam", "veranstaltung"):
        assert word in transcript, (word, transcript)
    # Search finds the screenshot by its OCR text and the keynote by a spoken word.
    [screenshot, *_] = json.loads(cli("search", "Luftqualität", "--json").stdout)
    assert (screenshot["kind"], screenshot["source"], screenshot["title"]) == (
        "image",
        "image",
        "StadtLABOR Soest",
    )
    assert "<mark>Luftqualität</mark>" in screenshot["snippet"]
    spoken = json.loads(cli("search", "Verwaltung", "--source", "speech", "--json").stdout)
    assert spoken and {hit["asset_id"] for hit in spoken} == {keynote}
    assert spoken[0]["link"].startswith(f"/assets/{keynote}#t=")
    # The files the demo wrote: the keynote's subtitles and the event's bag.
    output = home / "demo-output"
    captions = webvtt.read(str(output / f"{keynote}.de.vtt")).captions
    assert "Verwaltung" in " ".join(caption.text for caption in captions)
    bag = bagit.Bag(str(output / "export-bag"))
    bag.validate()
    assert "BagIt bag: 3 assets" in result.stdout
    events = json.loads(cli("events", "--json").stdout)
    assert events[0]["page_links"][0]["url"] == "https://stadtlabor-soest.de/"
