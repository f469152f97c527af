"""The archive's origin stays safe: files from elsewhere are downloads in a sandbox, the page
answers only to its own host names, and no header makes it fail."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import httpx
import pytest

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.services.serving import host_policy
from mediaarchive.web.ranges import RangeNotSatisfiable, parse_range
from mediaarchive.web.server import BackgroundServer
from tests.fixtures.sources import FlakyServer
from tests.fixtures.web import WebArchive
from tests.helpers import cli_command, free_port, wait_until

HUGE = "9" * 5000
SANDBOX = "sandbox; default-src 'none'; frame-ancestors 'none'"

#: A script that, if it ever ran in the archive's origin, would leave a mark there.
PLANT = "localStorage.setItem('planted', '{what}'); window.top.__planted = '{what}';"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
    '<text x="10" y="50">Programm</text>'
    "<script>" + PLANT.format(what="svg") + "</script></svg>"
)
HTML = (
    "<!DOCTYPE html><html><head><title>Agenda</title></head><body><h1>Agenda</h1>"
    "<script>" + PLANT.format(what="html") + "</script></body></html>"
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"bytes=0-{HUGE}", (0, 999)),
        (f"bytes=-{HUGE}", (0, 999)),
        (f"bytes=000{'0' * 40}5-9", (5, 9)),
    ],
)
def test_positions_of_any_length_are_read(header: str, expected: tuple[int, int]) -> None:
    assert parse_range(header, 1000) == expected


def test_a_range_starting_at_a_5000_digit_byte_is_unsatisfiable() -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(f"bytes={HUGE}-", 1000)


def test_huge_range_is_answered_416(web_url: str, web_archive: WebArchive) -> None:
    url = f"{web_url}/assets/{web_archive.talk_id}/proxy"
    response = httpx.get(url, headers={"Range": f"bytes={HUGE}-"})
    assert response.status_code == 416
    assert response.headers["content-range"].startswith("bytes */")
    whole = httpx.get(url, headers={"Range": f"bytes=0-{HUGE}"})
    assert whole.status_code == 206
    assert web_archive.proxy_path is not None
    assert whole.content == web_archive.proxy_path.read_bytes()


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost.evil:80"])
def test_a_foreign_host_name_is_refused(web_url: str, host: str) -> None:
    response = httpx.get(f"{web_url}/", params={"q": "Labor"}, headers={"Host": host})
    assert response.status_code == 421
    assert "--allowed-host" in response.text
    assert "Innovationslabor" not in response.text


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:8000", "127.0.0.1:1", "[::1]:8000"])
def test_local_host_names_are_answered(web_url: str, host: str) -> None:
    response = httpx.get(f"{web_url}/", params={"q": "Labor"}, headers={"Host": host})
    assert response.status_code == 200
    assert "Innovationslabor" in response.text


def test_allowed_hosts_come_from_the_setting_and_the_option(
    web_archive: WebArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIAARCHIVE_ALLOWED_HOSTS", "archive.example.org, Media.Example.org")
    settings = Settings.load(home=web_archive.home)
    policy = host_policy(settings, "192.0.2.7", ["extra.example"])
    assert set(policy.names) == {
        "localhost",
        "127.0.0.1",
        "[::1]",
        "192.0.2.7",
        "archive.example.org",
        "media.example.org",
        "extra.example",
    }
    assert not policy.any_host
    # Listening everywhere without names: any Host (serve warns); with names: only those.
    assert host_policy(Settings.load(home=web_archive.home, allowed_hosts=""), "0.0.0.0").any_host
    assert not host_policy(settings, "0.0.0.0").any_host
    archive = Archive(settings)
    try:
        with BackgroundServer(archive) as server:
            url = f"{server.url}api/events"
            assert httpx.get(url, headers={"Host": "media.example.org"}).status_code == 200
            assert httpx.get(url, headers={"Host": "other.example.org"}).status_code == 421
    finally:
        archive.close()


def test_serve_on_every_interface_without_names_warns(home: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        cli_command("--home", str(home), "serve", "--host", "0.0.0.0", "--port", str(port)),
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr or []), daemon=True)
    reader.start()
    try:
        # uvicorn says when it starts; the archive's own lines come before that.
        wait_until(lambda: "Started server" in "".join(lines), message=lambda: "".join(lines))
        said = "".join(lines)
        assert "accepting any Host header" in said
        assert "--allowed-host" in said
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_every_response_carries_the_security_headers(web_url: str, web_archive: WebArchive) -> None:
    base = f"{web_url}/assets/{web_archive.talk_id}"
    for path in (
        "/api/assets",
        f"{base}/subtitles.vtt",
        f"{base}/transcript.json",
    ):
        response = httpx.get(web_url + path if path.startswith("/api") else path)
        assert response.status_code == 200, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == SANDBOX, path
    page = httpx.get(base)
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    not_found = httpx.get(f"{web_url}/api/assets/ffffffffffff")
    assert not_found.status_code == 404
    assert not_found.headers["content-security-policy"] == SANDBOX
    docs = httpx.get(f"{web_url}/docs")
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    # Media on the inline list plays in the page; the player's proxy is not a download. It
    # is sandboxed too: it keeps its origin (to play when opened alone) but runs nothing.
    for kind in ("proxy", "poster"):
        response = httpx.get(f"{base}/{kind}")
        assert response.headers["content-disposition"].startswith("inline")
        policy = response.headers["content-security-policy"]
        assert policy.startswith("sandbox allow-same-origin;") and "allow-scripts" not in policy
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """An archive that ingested an SVG and an HTML page, both carrying a script, from a
    manifest (the SVG over HTTP, the page as a file next to the manifest); served."""
    from tests.helpers import run_cli

    base = tmp_path_factory.mktemp("planted")
    home = base / "home"
    server = FlakyServer().start()
    try:
        svg_url = server.add("/programm.svg", SVG.encode(), "image/svg+xml")
        (base / "agenda.html").write_text(HTML, encoding="utf-8")
        manifest = base / "assets.csv"
        manifest.write_text(
            f"url,title,event\n{svg_url},Programm,Labcamp\n{base / 'agenda.html'},Agenda,Labcamp\n",
            encoding="utf-8",
        )
        result = run_cli("--home", str(home), "ingest", str(manifest), "--no-process", "--json")
        assert result.exit_code == 0, result.stderr
    finally:
        server.stop()
    import json

    ids = {row["title"]: row["id"] for row in json.loads(result.stdout)}
    archive = Archive(Settings.load(home=home))
    with BackgroundServer(archive) as web:
        yield web.url.rstrip("/"), ids
    archive.close()


@pytest.mark.parametrize(
    ("title", "mime"), [("Programm", "image/svg+xml"), ("Agenda", "text/html")]
)
def test_svg_and_html_originals_are_sandboxed_downloads(planted, title: str, mime: str) -> None:  # type: ignore[no-untyped-def]
    url, ids = planted
    for query in ("", "?download=false"):
        response = httpx.get(f"{url}/assets/{ids[title]}/original{query}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(mime)
        assert response.headers["content-disposition"].startswith("attachment;")
        assert response.headers["content-security-policy"] == SANDBOX
        assert response.headers["x-content-type-options"] == "nosniff"
        assert b"<script>" in response.content  # the bytes as archived, never rewritten


@pytest.mark.slow
def test_a_script_in_a_planted_file_never_runs_in_the_archive_origin(planted, chromium) -> None:  # type: ignore[no-untyped-def]
    url, ids = planted
    context = chromium.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{url}/")
        for title in ("Programm", "Agenda"):
            original = f"{url}/assets/{ids[title]}/original"
            # Opened directly: a download, not a document of the archive's origin.
            try:
                with page.expect_download(timeout=10_000) as download:
                    page.evaluate("href => { window.location.href = href; }", original)
                assert download.value.suggested_filename
            finally:
                page.goto(f"{url}/")
            # Framed by a page of the archive: a download too, never a document in the frame.
            with page.expect_download(timeout=10_000) as framed:
                page.evaluate(
                    """src => { const frame = document.createElement('iframe');
                        frame.src = src; document.body.appendChild(frame); }""",
                    original,
                )
            assert framed.value.suggested_filename
            marks = page.evaluate(
                "() => [localStorage.getItem('planted'), window.__planted || null]"
            )
            assert marks == [None, None], f"{title}: script ran in the archive origin"
    finally:
        context.close()


@pytest.mark.slow
def test_a_video_opened_on_its_own_still_plays(
    chromium, web_url: str, web_archive: WebArchive
) -> None:  # type: ignore[no-untyped-def]
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"{web_url}/assets/{web_archive.talk_id}/proxy")
        page.wait_for_function(
            "() => { const v = document.querySelector('video'); return v && v.readyState >= 1 }",
            timeout=20_000,
        )
        duration = page.evaluate("document.querySelector('video').duration")
        assert duration == pytest.approx(web_archive.segments[-1][1], abs=2.0)
    finally:
        context.close()


def test_forwarded_headers_are_believed_only_from_named_proxies(
    web_archive: WebArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediaarchive.services.serving import server_options

    default = server_options(Settings.load(home=web_archive.home))
    assert default["proxy_headers"] is False  # uvicorn would otherwise trust 127.0.0.1
    monkeypatch.setenv("MEDIAARCHIVE_TRUSTED_PROXIES", "10.0.0.5, 10.0.0.6")
    named = server_options(Settings.load(home=web_archive.home))
    assert named["proxy_headers"] is True
    assert named["forwarded_allow_ips"] == "10.0.0.5,10.0.0.6"
