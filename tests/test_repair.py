"""Repair: a damaged or missing original comes back from its recorded source (only with the
bytes it had), a damaged rendition is made again by its step."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.fixtures.sources import FlakyServer
from tests.test_integrity import flip_byte, status_of


def ingest_link(cli, url: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    result = cli("ingest", url, "--no-process", "--json")
    assert result.exit_code == 0, result.stderr
    [row] = json.loads(result.stdout)
    return row


def test_repair_fetches_a_corrupt_original_again(
    cli, home: Path, flaky_server: FlakyServer, media, fast_retries: None
) -> None:  # type: ignore[no-untyped-def]
    row = ingest_link(cli, flaky_server.add("/folie.png", media.png, "image/png"))
    path = flip_byte(home, row["id"])
    verify = cli("verify")
    assert verify.exit_code == 1 and f"mediaarchive repair {row['id']}" in verify.stderr

    result = cli("repair", "--json")
    assert result.exit_code == 0, result.stderr
    [done] = json.loads(result.stdout)
    assert (done["asset_id"], done["part"], done["outcome"]) == (row["id"], "original", "repaired")
    assert path.read_bytes() == media.png
    assert status_of(cli, row["id"])["damaged"] is False
    assert cli("verify").exit_code == 0
    assert "Nothing is marked damaged" in cli("repair").stderr


def test_a_changed_source_does_not_replace_the_original(
    cli, home: Path, flaky_server: FlakyServer, media, fast_retries: None
) -> None:  # type: ignore[no-untyped-def]
    url = flaky_server.add("/folie.png", media.png, "image/png")
    row = ingest_link(cli, url)
    path = flip_byte(home, row["id"])
    damaged_bytes = path.read_bytes()
    flaky_server.add("/folie.png", media.other_png, "image/png")  # the link now has other bytes
    result = cli("repair", row["id"])
    assert result.exit_code == 1
    assert "the source changed" in result.stderr
    assert hashlib.sha256(media.other_png).hexdigest()[:12] in result.stderr
    assert path.read_bytes() == damaged_bytes  # nothing written
    assert status_of(cli, row["id"])["damaged"] is True


def test_repair_with_an_id_restores_a_missing_original(
    cli, home: Path, flaky_server: FlakyServer, media, fast_retries: None
) -> None:  # type: ignore[no-untyped-def]
    row = ingest_link(cli, flaky_server.add("/talk.mp4", media.mp4, "video/mp4"))
    [path] = (home / "store" / "sha256").glob(f"*/*/{row['id']}*")
    path.unlink()
    result = cli("repair", row["id"][:8])  # checked afresh: nothing had marked it yet
    assert result.exit_code == 0, result.stderr
    assert f"{row['id']} original: repaired" in result.stderr
    assert path.read_bytes() == media.mp4


def test_repair_makes_a_damaged_rendition_again(cli, home: Path, media, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    image = tmp_path / "folie.png"
    image.write_bytes(media.png)
    [row] = json.loads(cli("ingest", str(image), "--json").stdout)
    shown = json.loads(cli("show", row["id"], "--json").stdout)
    [thumbnail] = [r for r in shown["renditions"] if r["kind"] == "thumbnail"]
    flip_byte(home, thumbnail["sha256"][:12])
    assert cli("verify").exit_code == 1
    assert status_of(cli, row["id"])["damaged"] is True

    result = cli("repair")
    assert result.exit_code == 0, result.stderr
    assert f"{row['id']} thumbnail: remade" in result.stderr
    assert cli("verify").exit_code == 0
    again = json.loads(cli("show", row["id"], "--json").stdout)
    [remade] = [r for r in again["renditions"] if r["kind"] == "thumbnail"]
    assert remade["damaged"] is None
    data = Path(remade["path"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == remade["sha256"]
    assert len(data) == remade["size"] == thumbnail["size"]  # the same recipe, made again
    assert status_of(cli, row["id"])["damaged"] is False


def test_after_a_repair_the_steps_that_failed_on_the_damage_can_run_again(
    cli, home: Path, flaky_server: FlakyServer, media, fast_retries: None
) -> None:  # type: ignore[no-untyped-def]
    row = ingest_link(cli, flaky_server.add("/talk.mp4", media.mp4, "video/mp4"))
    flip_byte(home, row["id"], offset=len(media.mp4) // 2)
    assert cli("run").exit_code == 1  # transcode read the damage and marked it
    result = cli("repair")
    assert result.exit_code == 0, result.stderr
    assert f"{row['id']} original: repaired" in result.stderr
    assert f"'mediaarchive retry {row['id']}'" in result.stderr
    steps = {step["name"]: step["state"] for step in status_of(cli, row["id"])["steps"]}
    assert steps["transcode"] == "failed" and steps["probe"] == "done"


def test_a_stale_mark_is_cleared_without_fetching(
    cli, home: Path, flaky_server: FlakyServer, media, fast_retries: None
) -> None:  # type: ignore[no-untyped-def]
    row = ingest_link(cli, flaky_server.add("/folie.png", media.png, "image/png"))
    flip_byte(home, row["id"])
    assert cli("verify").exit_code == 1
    flip_byte(home, row["id"])  # restored by hand (from a backup) before the repair
    fetched = len(flaky_server.served("/folie.png"))
    result = cli("repair", "--json")
    assert result.exit_code == 0, result.stderr
    assert [r["outcome"] for r in json.loads(result.stdout)] == ["sound"]
    assert len(flaky_server.served("/folie.png")) == fetched  # nothing downloaded
    assert status_of(cli, row["id"])["damaged"] is False
