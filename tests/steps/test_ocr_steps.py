"""Steps "ocr" and "slides": what they store for an image and for a talk video."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from mediaarchive.db import Asset, OcrText, Rendition
from tests.fixtures.ocr import (
    SCREENSHOT_LINES,
    SCREENSHOT_TITLE,
    SLIDES,
    change_times,
    character_error_rate,
    words_of,
)
from tests.helpers import run_step

TRUTH = "\n".join([SCREENSHOT_TITLE, *SCREENSHOT_LINES])


def test_ocr_step_stores_the_screenshot_text(archive, stored_asset, screenshot: Path) -> None:
    asset_id = stored_asset(screenshot, "image", title="Bildschirmfoto")

    run_step(archive, asset_id, "ocr", threads=2)
    run_step(archive, asset_id, "ocr")  # a re-run replaces the text

    with archive.session() as session:
        texts = session.get(Asset, asset_id).ocr_texts
        assert len(texts) == 1
        text = texts[0]
        assert (text.source, text.start, text.end) == ("image", None, None)
        assert "Innovationslabor" in text.text
        assert character_error_rate(TRUTH, text.text) < 0.01
        word = next(w for w in text.words if w["text"] == "Stadtlabor")
        assert set(word) == {"text", "left", "top", "width", "height", "confidence"}
        assert text.params["languages"] == "deu+eng"
        assert text.params["tesseract"].startswith("tesseract")


def test_slides_step_stores_frames_and_timed_text(
    archive, stored_asset, slide_talk: Path, record_property
) -> None:
    asset_id = stored_asset(slide_talk, "video", title="Keynote")

    run_step(archive, asset_id, "slides")

    with archive.session() as session:
        texts = session.scalars(
            select(OcrText).where(OcrText.asset_id == asset_id).order_by(OcrText.start)
        ).all()
        renditions = session.scalars(
            select(Rendition)
            .where(Rendition.asset_id == asset_id, Rendition.kind == "slide")
            .order_by(Rendition.label)
        ).all()
        assert [r.label for r in renditions] == [
            "slide-0001",
            "slide-0002",
            "slide-0003",
            "slide-0004",
        ]
        assert all(r.mime == "image/png" and r.size > 0 for r in renditions)
        assert archive.store.exists(renditions[1].blob_key)
        assert len(texts) == len(SLIDES)
        errors = []
        for text, (title, lines, _), start, rendition in zip(
            texts, SLIDES, change_times(), renditions, strict=True
        ):
            assert text.source == "slide"
            assert abs(text.start - start) < 1.0
            assert text.end > text.start
            assert text.rendition_id == rendition.id
            assert rendition.params["start"] == text.start
            assert set(words_of(" ".join([title, *lines]))) <= set(words_of(text.text))
            assert text.words and all(
                {"text", "left", "top", "width", "height", "confidence"} <= set(w)
                for w in text.words
            )
            errors.append(character_error_rate("\n".join([title, *lines]), text.text))
        cer = sum(errors) / len(errors)
        record_property("cer", cer)
        print(f"slides: mean CER {cer:.3%}")
        assert cer < 0.02

    run_step(archive, asset_id, "slides")  # a re-run replaces, never duplicates

    with archive.session() as session:
        asset = session.get(Asset, asset_id)
        assert len([t for t in asset.ocr_texts if t.source == "slide"]) == len(SLIDES)
        assert len([r for r in asset.renditions if r.kind == "slide"]) == len(SLIDES)


def test_blank_lead_in_and_repeated_slide_are_not_extra_slides(archive, stored_asset) -> None:
    from mediaarchive.synth import slide_video

    video = slide_video(
        [
            ("", [], 2.0),  # black lead-in: no slide
            ("Agenda", ["Stadtlabor und Innovationslabor"], 3.0),
            ("Agenda", ["", "Stadtlabor und Innovationslabor"], 3.0),  # same text, moved down
            ("Danke", ["Fragen und Diskussion"], 3.0),
        ],
        background="black",
        color="white",
    )
    asset_id = stored_asset(video, "video")

    run_step(archive, asset_id, "slides", min_confidence=0.5)

    with archive.session() as session:
        texts = session.scalars(
            select(OcrText).where(OcrText.asset_id == asset_id).order_by(OcrText.start)
        ).all()
        assert [words_of(t.text)[0] for t in texts] == ["Agenda", "Danke"]
        assert abs(texts[0].start - 2.0) < 1.0 and abs(texts[0].end - 8.0) < 1.0


def test_search_finds_the_screenshot_by_its_words_and_the_slide_at_its_time(
    archive, stored_asset, cli, screenshot: Path, slide_talk: Path
) -> None:
    image_id = stored_asset(screenshot, "image", title="Bildschirmfoto")
    video_id = stored_asset(slide_talk, "video", title="Keynote Digitale Stadt")
    run_step(archive, image_id, "ocr")
    run_step(archive, video_id, "slides")
    with archive.session() as session:
        image, video = session.get(Asset, image_id).short_id, session.get(Asset, video_id).short_id

    result = cli("search", "Straßenplanung", "--json")
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    assert [(h["asset_id"], h["source"]) for h in hits] == [(image, "image")]
    assert hits[0]["start"] is None and hits[0]["link"] == f"/assets/{image}"
    assert "<mark>Straßenplanung</mark>" in hits[0]["snippet"]

    result = cli("search", "Fördermittel", "--json")  # on the third slide, from 9 s on
    hits = json.loads(result.stdout)
    assert [(h["asset_id"], h["source"]) for h in hits] == [(video, "slide")]
    assert abs(hits[0]["start"] - change_times()[2]) < 1.0
    assert hits[0]["link"].startswith(f"/assets/{video}#t=")

    # German compounds: "labor" finds the Stadtlabor on the slide and on the screenshot.
    result = cli("search", "labor", "--source", "slide", "--json")
    assert {h["source"] for h in json.loads(result.stdout)} == {"slide"}
    result = cli("search", "Innovationslabor")
    assert image in result.stdout and "image" in result.stdout
