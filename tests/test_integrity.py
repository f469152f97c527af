"""Integrity at every move: a full read of a blob checks its sha256 on the way, stops with a
clear error on a mismatch and marks the asset damaged; export refuses a damaged asset (or
leaves it out with --skip-damaged); the web page neither serves nor vouches for bad bytes."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import bagit
import httpx
import pytest

from mediaarchive.errors import DamagedError
from mediaarchive.store import HashingReader

DATA = b"original media bytes " * 1000


def flip_byte(home: Path, sha256_prefix: str, offset: int = 10) -> Path:
    """Flip one byte of the stored blob whose sha256 starts with the prefix (bit rot)."""
    [path] = (home / "store" / "sha256").glob(f"*/*/{sha256_prefix}*")
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.chmod(0o644)
    path.write_bytes(bytes(data))
    return path


def status_of(cli, asset_id: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    rows = json.loads(cli("status", "--json").stdout)
    return next(row for row in rows if row["id"] == asset_id)


def test_a_full_read_checks_the_sha256_on_the_way() -> None:
    good = hashlib.sha256(DATA).hexdigest()
    reader = HashingReader(io.BytesIO(DATA), "sha256/ab/cd/x", good)
    assert b"".join(iter(lambda: reader.read(4096), b"")) == DATA
    bad = bytearray(DATA)
    bad[5000] ^= 1
    reader = HashingReader(io.BytesIO(bytes(bad)), "sha256/ab/cd/x", good)
    with pytest.raises(DamagedError) as caught:
        while reader.read(4096):
            pass
    assert caught.value.actual == hashlib.sha256(bad).hexdigest()
    assert "mediaarchive repair" in str(caught.value)


def test_export_refuses_a_corrupt_original_and_marks_it_damaged(
    cli, home: Path, transcribed_asset, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    good = transcribed_asset(title="Eröffnung")
    bad = transcribed_asset("Zweiter Vortrag.", title="Offene Daten")
    flip_byte(home, bad)
    target = tmp_path / "bag"
    result = cli("export", "--event", "Labcamp 4", "--to", str(target))
    assert result.exit_code == 1
    assert f"asset {bad} is damaged" in result.stderr
    assert f"mediaarchive repair {bad}" in result.stderr and "--skip-damaged" in result.stderr
    assert not target.exists()  # no bag, not even a half one
    assert not list(tmp_path.glob(".bag.partial-*"))
    assert status_of(cli, bad)["damaged"] is True
    assert status_of(cli, good)["damaged"] is False
    shown = json.loads(cli("show", bad, "--json").stdout)
    assert shown["damaged"] is True and shown["original"]["damaged"] == "corrupt"
    assert "DAMAGED" in cli("status").stdout

    # Left out on request, and said so; the bag holds only sound bytes.
    result = cli("export", "--event", "Labcamp 4", "--to", str(target), "--skip-damaged", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["assets"] == 1 and summary["skipped"] == [bad]
    assert f"Left out 1 damaged asset(s): {bad}" in result.stderr
    bag = bagit.Bag(str(target))
    bag.validate()
    assert sorted(p.name for p in (target / "data").iterdir()) == sorted([good, "event.json"])
    event = json.loads((target / "data" / "event.json").read_text(encoding="utf-8"))
    assert event["left_out_damaged"] == [bad]


def test_transcode_stops_on_a_corrupt_original(cli, home: Path, media, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    video = tmp_path / "talk.mp4"
    video.write_bytes(media.mp4)
    [row] = json.loads(cli("ingest", str(video), "--no-process", "--json").stdout)
    flip_byte(home, row["id"], offset=len(media.mp4) // 2)
    result = cli("run")
    assert result.exit_code == 1
    steps = {step["name"]: step for step in status_of(cli, row["id"])["steps"]}
    assert steps["transcode"]["state"] == "failed"
    assert "is damaged" in steps["transcode"]["error"]
    assert "mediaarchive repair" in steps["transcode"]["error"]
    assert status_of(cli, row["id"])["damaged"] is True


def test_verify_marks_damage_and_prints_the_repair_command(
    cli, home: Path, transcribed_asset
) -> None:  # type: ignore[no-untyped-def]
    sound = transcribed_asset(title="Eröffnung")
    bad = transcribed_asset("Zweiter Vortrag.", title="Offene Daten")
    path = flip_byte(home, bad)
    result = cli("verify")
    assert result.exit_code == 1
    assert result.stderr.rstrip().splitlines()[-1] == f"To repair: mediaarchive repair {bad}"
    assert status_of(cli, bad)["damaged"] is True and status_of(cli, sound)["damaged"] is False
    flip_byte(home, bad)  # flipped back, as a restore from a backup would
    assert path.exists()
    result = cli("verify")
    assert result.exit_code == 0 and "To repair" not in result.stderr
    assert status_of(cli, bad)["damaged"] is False


def test_ingesting_the_same_bytes_repairs_a_damaged_blob(
    cli, home: Path, media, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    image = tmp_path / "folie.png"
    image.write_bytes(media.png)
    [row] = json.loads(cli("ingest", str(image), "--no-process", "--json").stdout)
    path = flip_byte(home, row["id"])
    assert cli("verify").exit_code == 1
    [again] = json.loads(cli("ingest", str(image), "--no-process", "--json").stdout)
    assert again["created"] is False
    assert path.read_bytes() == media.png
    assert status_of(cli, row["id"])["damaged"] is False
    assert cli("verify").exit_code == 0


@pytest.fixture
def served_damage(home: Path, transcribed_asset):  # type: ignore[no-untyped-def]
    """A served archive with a corrupt (found by verify) and a missing original."""
    from mediaarchive.archive import Archive
    from mediaarchive.config import Settings
    from mediaarchive.web.server import BackgroundServer
    from tests.helpers import run_cli

    corrupt = transcribed_asset(title="Eröffnung")
    missing = transcribed_asset("Zweiter Vortrag.", title="Offene Daten")
    flip_byte(home, corrupt)
    [gone] = (home / "store" / "sha256").glob(f"*/*/{missing}*")
    gone.unlink()
    assert run_cli("--home", str(home), "verify").exit_code == 1
    archive = Archive(Settings.load(home=home))
    with BackgroundServer(archive) as server:
        yield server.url.rstrip("/"), corrupt, missing
    archive.close()


def test_the_web_page_never_serves_damaged_bytes(served_damage, home: Path) -> None:  # type: ignore[no-untyped-def]
    url, corrupt, missing = served_damage
    for method in ("GET", "HEAD"):
        damaged = httpx.request(method, f"{url}/assets/{corrupt}/original")
        assert damaged.status_code == 500
        assert "etag" not in damaged.headers
        gone = httpx.request(method, f"{url}/assets/{missing}/original")
        assert gone.status_code == 404
        assert "etag" not in gone.headers
    body = httpx.get(f"{url}/assets/{corrupt}/original").text
    assert "damaged" in body and f"mediaarchive repair {corrupt}" in body
    missing_body = httpx.get(f"{url}/assets/{missing}/original", params={"download": "true"}).text
    assert f"mediaarchive repair {missing}" in missing_body
    for text in (body, missing_body):
        assert str(home) not in text and "sha256/" not in text


def test_a_missing_blob_is_404_even_before_verify_finds_it(home: Path, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    from mediaarchive.archive import Archive
    from mediaarchive.config import Settings
    from mediaarchive.web.server import BackgroundServer

    missing = transcribed_asset()
    [gone] = (home / "store" / "sha256").glob(f"*/*/{missing}*")
    gone.unlink()
    archive = Archive(Settings.load(home=home))
    try:
        with BackgroundServer(archive) as server:
            for method in ("GET", "HEAD"):
                response = httpx.request(method, f"{server.url}assets/{missing}/original")
                assert response.status_code == 404
                assert str(home) not in response.text
    finally:
        archive.close()


def test_a_damaged_rendition_is_not_served_either(cli, home: Path, media, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from mediaarchive.archive import Archive
    from mediaarchive.config import Settings
    from mediaarchive.web.server import BackgroundServer

    image = tmp_path / "folie.png"
    image.write_bytes(media.png)
    [row] = json.loads(cli("ingest", str(image), "--json").stdout)
    shown = json.loads(cli("show", row["id"], "--json").stdout)
    [thumbnail] = [r for r in shown["renditions"] if r["kind"] == "thumbnail"]
    flip_byte(home, thumbnail["sha256"][:12])
    assert cli("verify").exit_code == 1
    archive = Archive(Settings.load(home=home))
    try:
        with BackgroundServer(archive) as server:
            for method in ("GET", "HEAD"):
                response = httpx.request(method, f"{server.url}assets/{row['id']}/thumbnail")
                assert response.status_code == 500 and "etag" not in response.headers
            text = httpx.get(f"{server.url}assets/{row['id']}/thumbnail").text
            assert f"thumbnail of asset {row['id']} is damaged" in text
            assert f"mediaarchive repair {row['id']}" in text
            # The original itself is sound and still served.
            original = httpx.get(f"{server.url}assets/{row['id']}/original")
            assert original.status_code == 200 and original.content == media.png
    finally:
        archive.close()
