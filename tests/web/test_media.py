"""Media over HTTP: Range requests (what lets a player seek), downloads, safe paths."""

from __future__ import annotations

import hashlib

import httpx
import pytest
import srt as srt_parser
import webvtt

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.web.ranges import RangeNotSatisfiable, parse_range
from mediaarchive.web.server import BackgroundServer
from tests.fixtures.transcripts import assert_cues_say
from tests.fixtures.web import WebArchive, build_web_archive


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-10", (990, 999)),
        ("bytes=990-5000", (990, 999)),
        ("bytes=0-0", (0, 0)),
        ("bytes=0-1,5-6", None),  # several ranges: the whole file is a valid answer
        ("items=0-9", None),
        ("bytes=9-3", None),
    ],
)
def test_parse_range(header: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_range_outside_the_file_is_unsatisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)


def test_proxy_answers_range_requests_with_the_right_bytes(
    web_url: str, web_archive: WebArchive
) -> None:
    assert web_archive.proxy_path is not None
    data = web_archive.proxy_path.read_bytes()
    url = f"{web_url}/assets/{web_archive.talk_id}/proxy"

    whole = httpx.get(url)
    assert whole.status_code == 200
    assert whole.content == data
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"] == "video/mp4"

    part = httpx.get(url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1099/{len(data)}"
    assert part.headers["content-length"] == "1000"
    assert part.content == data[100:1100]

    tail = httpx.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == data[-500:]
    rest = httpx.get(url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert rest.status_code == 206 and rest.content == data[-10:]

    beyond = httpx.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(data)}"

    head = httpx.head(url, headers={"Range": "bytes=0-9"})
    assert head.status_code == 206 and head.headers["content-length"] == "10"
    assert head.content == b""

    etag = whole.headers["etag"]
    assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304
    stale = httpx.get(url, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert stale.status_code == 200 and stale.content == data


def test_original_download_is_the_archived_bytes(web_url: str, web_archive: WebArchive) -> None:
    assert web_archive.original_path is not None
    response = httpx.get(
        f"{web_url}/assets/{web_archive.talk_id}/original", params={"download": "true"}
    )
    assert response.status_code == 200
    digest = hashlib.sha256(response.content).hexdigest()
    assert digest.startswith(web_archive.talk_id)
    assert response.headers["etag"] == f'"{digest}"'
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content == web_archive.original_path.read_bytes()


def test_subtitles_and_transcript_downloads(web_url: str, web_archive: WebArchive) -> None:
    base = f"{web_url}/assets/{web_archive.talk_id}"
    vtt = httpx.get(f"{base}/subtitles.vtt")
    assert vtt.status_code == 200
    assert vtt.headers["content-type"].startswith("text/vtt")
    assert vtt.text.startswith("WEBVTT")
    said = [t for _s, _e, t in web_archive.segments]
    assert_cues_say([cue.text for cue in webvtt.from_string(vtt.text)], said)
    srt = httpx.get(f"{base}/subtitles.srt", params={"download": "true"})
    assert srt.status_code == 200 and "," in srt.text.split("-->")[0]
    assert_cues_say([cue.content for cue in srt_parser.parse(srt.text)], said)
    assert srt.headers["content-disposition"].startswith("attachment;")
    assert ".srt" in srt.headers["content-disposition"]
    for fmt in ("txt", "json"):
        assert httpx.get(f"{base}/subtitles.{fmt}").status_code == 200
    assert httpx.get(f"{base}/subtitles.vtt", params={"preset": "de-broadcast"}).status_code == 200
    assert httpx.get(f"{base}/subtitles.ass").status_code == 422
    text = httpx.get(f"{base}/transcript.txt")
    assert text.status_code == 200
    assert text.text.splitlines()[0] == f"[0:00] {web_archive.segments[0][2]}"
    words = httpx.get(f"{base}/transcript.json").json()
    assert words["segments"][2]["words"][1]["word"] == " Innovationslabor"
    assert ["".join(w["word"] for w in s["words"]).strip() for s in words["segments"]] == said
    no_transcript = httpx.get(f"{web_url}/assets/{web_archive.image_id}/subtitles.vtt")
    assert no_transcript.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/assets/..%2F..%2F..%2Fetc%2Fpasswd/original",
        "/assets/../../etc/passwd",
        "/assets/%2Fetc%2Fpasswd/proxy",
        "/assets/zzzzzzzz/original",
        "/assets/abc/original",
        "/assets/{talk}/slides/..%2F..%2Fstore",
        "/assets/{talk}/thumbnail",
        "/static/..%2F..%2Fapp.py",
    ],
)
def test_paths_from_the_request_never_reach_the_disk(
    path: str, web_url: str, web_archive: WebArchive
) -> None:
    response = httpx.get(web_url + path.format(talk=web_archive.talk_id))
    assert response.status_code in (400, 404, 422)
    assert b"root:" not in response.content and b"import" not in response.content


def test_media_streams_from_an_s3_store(s3_env: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    info = build_web_archive(tmp_path / "home", tmp_path / "work", store="s3://web-media/a")
    assert info.proxy_path is not None
    data = info.proxy_path.read_bytes()
    archive = Archive(Settings.load(home=info.home, store=info.store))
    try:
        with BackgroundServer(archive) as server:
            url = f"{server.url}assets/{info.talk_id}/proxy"
            part = httpx.get(url, headers={"Range": "bytes=2000-2999"})
            assert part.status_code == 206
            assert part.headers["content-range"] == f"bytes 2000-2999/{len(data)}"
            assert part.content == data[2000:3000]
            assert httpx.get(url).content == data
            page = httpx.get(f"{server.url}assets/{info.talk_id}")
            assert page.status_code == 200 and "Innovationslabor" in page.text
    finally:
        archive.close()
