"""Slides in talk videos: change times, the text of each slide, frames kept as renditions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from mediaarchive.db import Asset, OcrText, Rendition
from mediaarchive.errors import ProbeError
from mediaarchive.ocr.slides import detect_slides, scene_filter_changes
from tests.fixtures.ocr import SLIDES, character_error_rate, words_of


def change_times() -> list[float]:
    times, elapsed = [], 0.0
    for _, _, seconds in SLIDES:
        times.append(elapsed)
        elapsed += seconds
    return times


def test_slide_changes_are_found_within_a_second(slide_talk: Path) -> None:
    progress: list[tuple[float, float]] = []

    spans = detect_slides(slide_talk, progress=lambda done, total: progress.append((done, total)))

    assert len(spans) == len(SLIDES)
    for span, expected in zip(spans, change_times(), strict=True):
        assert abs(span.start - expected) < 1.0, (span, expected)
    assert spans[-1].end == pytest.approx(sum(s for _, _, s in SLIDES), abs=0.1)
    assert progress and progress[-1][0] == progress[-1][1]
    # ffmpeg's scene score alone misses these text-only changes at its usual threshold.
    assert len(scene_filter_changes(slide_talk)) < len(SLIDES)


def test_a_file_without_video_is_a_probe_error(tmp_path: Path) -> None:
    from mediaarchive.synth import speech_wav

    with pytest.raises(ProbeError, match="no video stream"):
        detect_slides(speech_wav("Hallo"))


def test_slides_step_stores_frames_and_timed_text(archive, stored_asset, run_step,
                                                  slide_talk: Path, record_property) -> None:
    asset_id = stored_asset(slide_talk, "video", title="Keynote")

    run_step(asset_id, "slides")

    with archive.session() as session:
        texts = session.scalars(select(OcrText).where(OcrText.asset_id == asset_id)
                                .order_by(OcrText.start)).all()
        renditions = session.scalars(select(Rendition).where(
            Rendition.asset_id == asset_id, Rendition.kind == "slide")
            .order_by(Rendition.label)).all()
        assert [r.label for r in renditions] == ["slide-0001", "slide-0002", "slide-0003",
                                                 "slide-0004"]
        assert all(r.mime == "image/png" and r.size > 0 for r in renditions)
        assert archive.store.exists(renditions[1].blob_key)
        assert len(texts) == len(SLIDES)
        errors = []
        for text, (title, lines, _), start, rendition in zip(
                texts, SLIDES, change_times(), renditions, strict=True):
            assert text.source == "slide"
            assert abs(text.start - start) < 1.0
            assert text.end > text.start
            assert text.rendition_id == rendition.id
            assert rendition.params["start"] == text.start
            assert set(words_of(" ".join([title, *lines]))) <= set(words_of(text.text))
            assert text.words and all({"text", "left", "top", "width", "height",
                                       "confidence"} <= set(w) for w in text.words)
            errors.append(character_error_rate("\n".join([title, *lines]), text.text))
        cer = sum(errors) / len(errors)
        record_property("cer", cer)
        print(f"slides: mean CER {cer:.3%}")
        assert cer < 0.02

    run_step(asset_id, "slides")  # a re-run replaces, never duplicates

    with archive.session() as session:
        asset = session.get(Asset, asset_id)
        assert len([t for t in asset.ocr_texts if t.source == "slide"]) == len(SLIDES)
        assert len([r for r in asset.renditions if r.kind == "slide"]) == len(SLIDES)


def test_blank_lead_in_and_repeated_slide_are_not_extra_slides(archive, stored_asset,
                                                               run_step) -> None:
    from mediaarchive.synth import slide_video

    video = slide_video([
        ("", [], 2.0),  # black lead-in: no slide
        ("Agenda", ["Stadtlabor und Innovationslabor"], 3.0),
        ("Agenda", ["", "Stadtlabor und Innovationslabor"], 3.0),  # same text, moved down
        ("Danke", ["Fragen und Diskussion"], 3.0),
    ], background="black", color="white")
    asset_id = stored_asset(video, "video")

    run_step(asset_id, "slides", min_confidence=0.5)

    with archive.session() as session:
        texts = session.scalars(select(OcrText).where(OcrText.asset_id == asset_id)
                                .order_by(OcrText.start)).all()
        assert [words_of(t.text)[0] for t in texts] == ["Agenda", "Danke"]
        assert abs(texts[0].start - 2.0) < 1.0 and abs(texts[0].end - 8.0) < 1.0
