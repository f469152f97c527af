"""The issue's user flow on the command line: ingest, search by the words shown, show --json."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fixtures.ocr import SLIDES, change_times


def test_ingested_screenshot_is_found_by_its_words_and_shows_its_boxes(
    cli, screenshot: Path
) -> None:
    ingested = cli("ingest", str(screenshot), "--title", "Bildschirmfoto", "--json")
    assert ingested.exit_code == 0, ingested.stderr
    [item] = json.loads(ingested.stdout)
    assert item["kind"] == "image"
    run = cli("run")  # a no-op when ingest already processed it
    assert run.exit_code == 0, run.stderr

    hits = json.loads(cli("search", "Stadtlabor", "--json").stdout)
    assert [(h["asset_id"], h["source"]) for h in hits] == [(item["id"], "image")]
    # German matching applies to OCR text: a compound's part and an umlaut spelt out.
    assert json.loads(cli("search", "labor", "--source", "image", "--json").stdout)
    assert json.loads(cli("search", "Strassenplanung", "--json").stdout)

    shown = json.loads(cli("show", item["id"], "--json").stdout)
    [ocr] = shown["ocr"]
    assert (ocr["source"], ocr["start"], ocr["end"]) == ("image", None, None)
    assert "Bürgerbeteiligung und Straßenplanung im Quartier" in ocr["text"]
    word = next(w for w in ocr["words"] if w["text"] == "Innovationslabor")
    assert set(word) == {"text", "left", "top", "width", "height", "confidence"}
    assert word["width"] > 50 and 0.5 < word["confidence"] <= 1
    status = json.loads(cli("status", "--json").stdout)
    assert {s["name"]: s["state"] for s in status[0]["steps"]}["ocr"] == "done"


def test_ingested_talk_has_its_slides_with_times(cli, slide_talk: Path, tmp_path: Path) -> None:
    pipeline = tmp_path / "slides-only.yaml"
    pipeline.write_text(
        "name: slides-only\nkinds: [video]\nsteps:\n  - fetch\n  - probe\n"
        "  - slides:\n      min_seconds: 1.5\n  - index\n"
    )
    ingested = cli("ingest", str(slide_talk), "--pipeline", str(pipeline), "--json")
    assert ingested.exit_code == 0, ingested.stderr
    [item] = json.loads(ingested.stdout)
    run = cli("run")
    assert run.exit_code == 0, run.stderr

    shown = json.loads(cli("show", item["id"], "--json").stdout)
    slides = [o for o in shown["ocr"] if o["source"] == "slide"]
    assert len(slides) == len(SLIDES)
    assert all(abs(s["start"] - t) < 1.0 for s, t in zip(slides, change_times(), strict=True))
    frames = [r for r in shown["renditions"] if r["kind"] == "slide"]
    assert len(frames) == len(SLIDES) and all(Path(r["path"]).is_file() for r in frames)

    hits = json.loads(cli("search", "Antragsfrist", "--json").stdout)
    assert [h["source"] for h in hits] == ["slide"]
    assert abs(hits[0]["start"] - change_times()[2]) < 1.0
    assert hits[0]["link"].startswith(f"/assets/{item['id']}#t=")
