"""Slides in talk videos: change times, the text of each slide, frames kept as renditions."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaarchive.errors import ProbeError
from mediaarchive.ocr.slides import detect_slides, scene_filter_changes, video_geometry
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


def test_slides_of_a_rotated_or_anamorphic_video_are_sampled_at_the_shown_shape(
    odd_geometry_clips: dict[str, Path],
) -> None:
    # ffmpeg decodes frames turned and stretched: the sample size must follow, or every
    # frame comes out squeezed.
    width, height, duration = video_geometry(odd_geometry_clips["rotated"])
    assert (width, height) == (180, 320) and duration == pytest.approx(2.0, abs=0.1)
    assert video_geometry(odd_geometry_clips["anamorphic"])[:2] == (640, 180)
    assert detect_slides(odd_geometry_clips["rotated"])
