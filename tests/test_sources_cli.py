"""Sources recorded before fetching: an ingest killed mid-download is resumed by `run`, a
failed source is listed by `sources` and `status` and fetched again by `retry`; the partial
download of a killed process is removed at the next command, a running one's never."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.sources import FlakyServer
from tests.helpers import cli_command, wait_until

pytestmark = pytest.mark.usefixtures("fast_retries")

#: ~4.5 MB of kind other: half of it (where the server stalls) fills the first 1 MB chunk.
NOTES = b"Protokoll der Sitzung: Prototypen testen, Offene Daten.\n" * 80000


def _parts(home: Path) -> list[Path]:
    return sorted((home / "store" / "tmp").glob("fetch-*.part"))


def test_ingest_killed_mid_download_is_resumed_by_run(
    cli, home: Path, flaky_server: FlakyServer
) -> None:
    url = flaky_server.add("/talks/protokoll.txt", NOTES, "text/plain")
    flaky_server.fail("/talks/protokoll.txt", "stall")
    ingest = subprocess.Popen(
        cli_command("--home", str(home), "ingest", url, "--event", "Labcamp 4", "--no-process"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MEDIAARCHIVE_FETCH_TIMEOUT": "600"},  # it stalls until killed
    )
    try:
        part = wait_until(lambda: [p for p in _parts(home) if p.stat().st_size > 0])[0]
        pending = json.loads(cli("sources", "--json").stdout)
        assert pending == [
            {
                "source_url": url,
                "event": "Labcamp 4",
                "state": "pending",
                "attempts": 0,
                "error": None,
                "asset_id": None,
            }
        ]
        # A command while the ingest still runs leaves its download alone (and `run` does
        # not fetch what a live process is fetching).
        assert cli("run").exit_code == 0
        assert part.exists()
        assert flaky_server.served("/talks/protokoll.txt") == ["stall"]
    finally:
        ingest.send_signal(signal.SIGKILL)
        ingest.wait(timeout=30)

    resumed = cli("run", "--json")
    assert resumed.exit_code == 0, resumed.stderr
    [entry] = json.loads(resumed.stdout)
    assert entry["state"] == "done" and entry["title"] == "protokoll.txt"
    assert not part.exists() and _parts(home) == [], "the killed download's file is left"
    [source] = json.loads(cli("sources", "--json").stdout)
    assert (source["state"], source["attempts"], source["asset_id"]) == ("done", 1, entry["id"])
    shown = json.loads(cli("show", entry["id"], "--json").stdout)
    assert shown["size"] == len(NOTES) and shown["source_urls"] == [url]


def test_failed_source_is_listed_and_retried(cli, flaky_server: FlakyServer) -> None:
    url = flaky_server.add("/talks/notes.txt", NOTES[:5000], "text/plain")
    flaky_server.fail("/talks/notes.txt", "404")
    result = cli("ingest", url, "--event", "Labcamp 4", "--no-process")
    assert result.exit_code == 1

    status = cli("status")
    assert status.stdout.splitlines()[-1] == (
        "1 source(s) failed to fetch (no asset yet): 'mediaarchive sources --state failed' "
        "lists them, 'mediaarchive retry' fetches them again."
    )
    assert json.loads(cli("status", "--json").stdout) == []
    [failed] = json.loads(cli("sources", "--state", "failed", "--json").stdout)
    assert failed["source_url"] == url and failed["state"] == "failed"
    assert failed["attempts"] == 1 and failed["asset_id"] is None
    assert "not found (404)" in failed["error"]
    assert "not found (404)" in cli("sources").stdout

    retried = cli("retry", "--json")
    assert retried.exit_code == 0, retried.stderr
    [entry] = json.loads(retried.stdout)
    assert entry["title"] == "notes.txt" and entry["state"] == "done"
    assert json.loads(cli("sources", "--state", "failed", "--json").stdout) == []
    [done] = json.loads(cli("sources", "--json").stdout)
    assert (done["state"], done["attempts"], done["asset_id"]) == ("done", 2, entry["id"])
    assert "failed to fetch" not in cli("status").stdout


def test_running_process_keeps_its_temp_file_and_a_dead_ones_goes(cli, home: Path) -> None:
    tmp = home / "store" / "tmp"
    tmp.mkdir(parents=True)
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        start = Path(f"/proc/{sleeper.pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
        alive = tmp / f"fetch-p{sleeper.pid}s{start}-abc.part"
        reused_pid = tmp / f"fetch-p{sleeper.pid}s{int(start) + 1}-def.part"  # another process
        gone = tmp / "fetch-p999999999s12345-ghi.part"
        gone_job = tmp / "job-7-p999999999s12345-jkl"
        gone_job.mkdir()
        (gone_job / "proxy.mp4").write_bytes(b"\0" * 1000)
        for path in (alive, reused_pid, gone):
            path.write_bytes(b"partial bytes")
        assert cli("status").exit_code == 0
        assert sorted(p.name for p in tmp.iterdir()) == [alive.name]
    finally:
        sleeper.kill()
        sleeper.wait()
    os.utime(alive)  # just written; its owner is gone now
    cli("events")
    assert list(tmp.iterdir()) == []
