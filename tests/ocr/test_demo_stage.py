"""The demo's screenshot becomes searchable by the text on it."""

from __future__ import annotations

from mediaarchive.demo import DemoContext, run_demo
from mediaarchive.demo.endpoint import start_endpoint
from mediaarchive.demo.ingest_seed import ingest_seed
from mediaarchive.demo.media import SCREENSHOT_TEXT
from mediaarchive.demo.screenshot_text import SEARCH_WORD, search_screenshot_text


def test_demo_finds_the_screenshot_by_its_text(archive) -> None:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    context = DemoContext(archive, event="Labcamp 4", echo=lines.append)

    run_demo(context, [start_endpoint, ingest_seed, search_screenshot_text])

    output = "\n".join(lines)
    assert SEARCH_WORD in " ".join(SCREENSHOT_TEXT["Bildschirmfoto_2021-07-13_um_13.22.18.png"][1])
    assert "== Text in the screenshots (OCR), searchable" in output
    assert "Werkstattbericht Datenkompetenz" in output  # the text read from the screenshot
    hit_lines = [line for line in lines if "[image]" in line]
    assert len(hit_lines) == 1 and "StadtLABOR Soest" in hit_lines[0]
    assert f"»{SEARCH_WORD}«" in output
    assert "/assets/" in output
