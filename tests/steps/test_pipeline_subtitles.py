"""The keynote pipeline writes subtitles right after the real Whisper transcription."""

from __future__ import annotations

import io

import pytest
import srt
import webvtt

from mediaarchive.archive import find_asset
from mediaarchive.pipeline.runner import queue_asset, run_queued
from mediaarchive.subtitles import PRESETS, asset_cues, check_cues


@pytest.mark.slow
def test_keynote_pipeline_writes_subtitle_renditions_after_transcribe(
    archive, asset_factory, media_files
) -> None:  # type: ignore[no-untyped-def]
    made = asset_factory(media_files["mp4"], kind="video", title="Labcamp Eröffnung")
    with archive.session() as session:
        queue_asset(session, find_asset(session, made.sha256))
    result = run_queued(archive)
    assert result.failed == []

    with archive.session() as session:
        asset = find_asset(session, made.sha256)
        steps = [job.step for job in asset.jobs]
        assert steps.index("subtitles") == steps.index("transcribe") + 1
        assert {job.step: job.state for job in asset.jobs}["subtitles"] == "done"
        renditions = {r.label: r for r in asset.renditions if r.kind == "subtitles"}
        assert sorted(renditions) == ["srt", "vtt"]
        with archive.store.open(renditions["vtt"].blob_key) as handle:
            vtt_text = handle.read().decode("utf-8")
        with archive.store.open(renditions["srt"].blob_key) as handle:
            srt_text = handle.read().decode("utf-8")
        words = " ".join(
            "".join(w.word for s in asset.current_transcript.segments for w in s.words).split()
        )
        cues = asset_cues(asset, "default")
        layout = [
            p
            for p in check_cues(cues, PRESETS["default"])
            if any("characters (max" in r or "lines" in r for r in p.reasons)
        ]

    captions = webvtt.from_buffer(io.StringIO(vtt_text)).captions
    subtitles = list(srt.parse(srt_text))
    assert len(captions) == len(subtitles) >= 2
    shown = " ".join(" ".join(c.lines) for c in captions)
    assert shown == words  # every recognised word, in order
    # First sentence to last (words the synthetic voice keeps under every compute type).
    assert "heute sprechen wir" in shown.lower(), shown
    assert "gemeinsam mit der universität" in shown.lower(), shown
    assert layout == []
    for caption, following in zip(captions, captions[1:], strict=False):
        gap = following.start_time.in_milliseconds() - caption.end_time.in_milliseconds()
        assert gap >= 80
