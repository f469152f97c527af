"""A full disk: downloads into a store on a small tmpfs (root, as CI runs) run out of space;
whatever happens, nothing half-written is left and what was archived is whole."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.sources import FlakyServer
from tests.helpers import run_cli

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("fast_retries")]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs (needs root: CI runs as root; elsewhere the test is skipped and says so,
    as ENOSPC cannot be produced without a small filesystem)."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a full disk needs a small tmpfs, and mounting one needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_leaves_nothing_half_written(
    small_disk: Path, tmp_path: Path, flaky_server: FlakyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIAARCHIVE_DISK_RESERVE_GB", "0")  # let the writes run into the wall
    store = small_disk / "store"
    options = ["--home", str(tmp_path / "home"), "--store", str(store)]
    # Two 2 MB downloads side by side into 3 MB: at least one cannot be finished.
    links = [flaky_server.add(f"/talk{n}.bin", bytes([n + 1]) * 2_000_000) for n in range(2)]
    too_big = flaky_server.add("/keynote.bin", b"\x07" * 5_000_000)
    result = run_cli(*options, "ingest", *links, too_big, "--no-process", "--fetch-jobs", "2")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert any(
        f"Error: {too_big}: not enough free space for this 5 MB download" in e for e in errors
    )
    assert len(errors) >= 2, result.stderr  # the big one and at least one of the two
    assert all("No space left on device" in e or "not enough free space" in e for e in errors), (
        errors
    )

    assert [p.name for p in (store / "tmp").iterdir()] == [], "a partial file was left"
    listed = json.loads(run_cli(*options, "status", "--json").stdout)
    blobs = (
        sorted(p for p in (store / "sha256").rglob("*") if p.is_file())
        if (store / "sha256").exists()
        else []
    )
    assert len(blobs) == len(listed) <= 1
    verify = run_cli(*options, "verify")
    assert verify.exit_code == 0, verify.stderr
    failed = json.loads(run_cli(*options, "sources", "--state", "failed", "--json").stdout)
    assert len(failed) == 3 - len(listed)
    assert all(f["asset_id"] is None and f["error"] for f in failed)
