"""Hosts that are down cost one try per command; fetches to different hosts run side by side,
at most two at once per host."""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter

import pytest

from tests.fixtures.sources import FlakyServer
from tests.helpers import free_port, wait_until

pytestmark = pytest.mark.usefixtures("fast_retries")


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Every name lookup (each connection attempt makes one), counted by (host, port); the
    real lookup answers."""
    counted: Counter = Counter()
    real = socket.getaddrinfo

    def counting(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        counted[(host, port)] += 1
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    return counted


def test_a_host_that_does_not_resolve_is_tried_once(
    cli, lookups: Counter, flaky_server: FlakyServer
) -> None:
    links = [f"http://archiv.invalid/labcamp/talk{n}.mp4" for n in range(6)]
    good = flaky_server.add("/notes.bin", b"Protokoll " * 100)
    result = cli("ingest", *links, good, "--no-process", "--fetch-jobs", "1", "--json")
    assert result.exit_code == 1
    assert lookups[("archiv.invalid", 80)] == 3  # the first link's 3 attempts, then no more
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    reason = "the host name does not resolve (DNS); check the link and your network"
    assert len(errors) == 6 and all(reason in line for line in errors)
    assert [line.split(": ", 2)[1] for line in errors] == links
    entries = json.loads(result.stdout)
    assert [e["state"] for e in entries] == ["failed"] * 6 + ["queued"]
    failed = json.loads(cli("sources", "--state", "failed", "--json").stdout)
    assert [f["source_url"] for f in failed] == links


def test_a_host_refusing_connections_is_tried_once(cli, lookups: Counter) -> None:
    port = free_port()  # nothing listens there
    links = [f"http://127.0.0.1:{port}/talk{n}.mp4" for n in range(4)]
    result = cli("ingest", *links, "--no-process")
    assert result.exit_code == 1
    # Two links of the host may be on their way at once (the per-host limit): at most their
    # attempts, not every link's.
    assert lookups[("127.0.0.1", port)] <= 2 * 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 4
    assert all("refused the connection (is it down?)" in line for line in errors)


def test_fetches_to_different_hosts_go_on_side_by_side(cli, home) -> None:
    slow, quick = FlakyServer().start(), FlakyServer().start()
    try:
        data = b"\x00\x01Aufzeichnung" * 400_000  # ~5.6 MB: the stall comes after 1 MB
        slow_links = [slow.add(f"/talk{n}.bin", data + bytes([n])) for n in range(3)]
        for n in range(3):
            slow.fail(f"/talk{n}.bin", "stall")
        quick_link = quick.add("/notes.bin", b"Protokoll " * 100)
        outcome: dict = {}
        ingest = threading.Thread(
            target=lambda: outcome.update(
                result=cli("ingest", *slow_links, quick_link, "--no-process", "--json")
            )
        )
        ingest.start()
        try:

            def quick_one_done() -> bool:
                listed = json.loads(cli("sources", "--json").stdout)
                return any(s["source_url"] == quick_link and s["state"] == "done" for s in listed)

            # The quick host's file is archived while the slow host holds its two downloads.
            wait_until(quick_one_done, message="the quick host waited for the slow one")
            stalled = [r for r in slow.requests if r[2] == "stall"]
            assert len(stalled) == 2, stalled  # the per-host limit: the third waits
        finally:
            slow.released.set()  # the stalled downloads break off and resume
            ingest.join(timeout=300)
        result = outcome["result"]
        assert result.exit_code == 0, result.stderr
        entries = json.loads(result.stdout)
        assert [e["source_url"] for e in entries] == [*slow_links, quick_link]
        assert [e["size"] for e in entries] == [len(data) + 1] * 3 + [1000]
    finally:
        slow.stop()
        quick.stop()
