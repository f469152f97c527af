"""Slides in talk videos: change times, the text of each slide, frames kept as renditions."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaarchive.errors import ProbeError
from mediaarchive.ocr.slides import detect_slides, scene_filter_changes
from tests.fixtures.ocr import SLIDES, change_times


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

