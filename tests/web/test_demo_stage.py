"""The demo's last stage: it prints the page's URLs and serves the archive until stopped."""

from __future__ import annotations

import threading

import httpx

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.demo import STAGES, DemoContext
from mediaarchive.demo.web import serve_web
from tests.fixtures.web import WebArchive
from tests.helpers import wait_until


def test_serving_is_the_demos_last_stage() -> None:
    assert STAGES[-1] is serve_web


def test_without_serving_it_prints_where_to_look(web_archive: WebArchive) -> None:
    archive = Archive(Settings.load(home=web_archive.home))
    lines: list[str] = []
    context = DemoContext(archive, echo=lines.append)
    context.data["serve"] = False
    serve_web(context)
    archive.close()
    output = "\n".join(lines)
    assert "Start page: http://127.0.0.1:8000/" in output
    assert "http://127.0.0.1:8000/?q=Innovationslabor" in output
    assert f"best hit (speech): http://127.0.0.1:8000/assets/{web_archive.talk_id}#t=" in output
    assert "mediaarchive --home" in output and "serve" in output


def test_it_serves_the_page_until_stopped(web_archive: WebArchive) -> None:
    archive = Archive(Settings.load(home=web_archive.home))
    lines: list[str] = []
    context = DemoContext(archive, echo=lines.append)
    context.data["serve"] = True
    stage = threading.Thread(target=serve_web, args=(context,), daemon=True)
    stage.start()
    try:

        def serving() -> bool:
            assert stage.is_alive(), lines
            return any("Serving the archive at" in line for line in lines)

        wait_until(serving, message=f"the stage never served: {lines}")
        url = next(line for line in lines if "best hit" in line).split(": ", 1)[1]
        page = httpx.get(url)
        assert page.status_code == 200 and "Offene Daten im Innovationslabor" in page.text
    finally:
        context.data["web_server"].server.should_exit = True
        stage.join(timeout=15)
        archive.close()
    assert not stage.is_alive()
