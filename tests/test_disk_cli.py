"""Bounded disk at ingest: the largest accepted asset, the free-space reserve, and warnings
for files worth a second look (mostly zero bytes; a name that promises other media)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.sources import FlakyServer

pytestmark = pytest.mark.usefixtures("fast_retries")


def test_a_source_larger_than_the_limit_is_refused_before_its_download(
    cli, home: Path, flaky_server: FlakyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIAARCHIVE_MAX_ASSET_GB", "0.000001")  # 1 kB
    url = flaky_server.add("/talks/big.bin", b"\x01\x02" * 2500)
    result = cli("ingest", url, "--no-process")
    assert result.exit_code == 1
    assert (
        f"Error: {url}: is 5 kB, larger than the largest accepted asset (1 kB); "
        "raise the setting max_asset_gb to archive it"
    ) in result.stderr
    assert list((home / "store" / "tmp").glob("*")) == []
    assert "failed to fetch" in cli("status").stdout


def test_a_download_that_would_eat_the_reserve_is_refused(
    cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIAARCHIVE_DISK_RESERVE_GB", "1000000")  # a petabyte
    notes = tmp_path / "notes.bin"
    notes.write_text("Protokoll")
    result = cli("ingest", str(notes), "--no-process")
    assert result.exit_code == 1
    assert "not enough free space for this 9 bytes download" in result.stderr
    assert "1e+06 GB kept in reserve (setting disk_reserve_gb)" in result.stderr
    assert list((home / "store" / "tmp").glob("*")) == []


def test_mostly_zero_and_misnamed_files_are_archived_with_a_warning(cli, tmp_path: Path) -> None:
    empty = tmp_path / "aufzeichnung.wav"
    with open(empty, "wb") as handle:  # a sparse file: a hole of 3 MB and one byte
        handle.seek(3_000_000)
        handle.write(b"\x01")
    misnamed = tmp_path / "vortrag.mp4"
    misnamed.write_text("Dies ist kein Video, nur Text.\n")
    result = cli("ingest", str(empty), str(misnamed), "--no-process")
    assert result.exit_code == 0, result.stderr
    assert (
        f"Warning: {empty}: 99% of its 3000001 bytes are zero (a sparse or empty file?); "
        "archived as it is, check the source"
    ) in result.stderr
    assert (
        f"Warning: {misnamed}: the name says video (.mp4) but the bytes are not video: "
        "archived as other; check the source (a renamed or broken file?)"
    ) in result.stderr
    assert "2 asset(s): 2 new" in result.stderr
