"""The "subtitles" step writes VTT and SRT renditions from the current transcript."""

from __future__ import annotations

import io

import srt
import webvtt

from mediaarchive.archive import find_asset
from tests.helpers import run_step


def renditions(archive, asset_id: str) -> dict[str, tuple[str, dict]]:  # type: ignore[no-untyped-def]
    with archive.session() as session:
        asset = find_asset(session, asset_id)
        result = {}
        for rendition in asset.renditions:
            assert rendition.kind == "subtitles"
            with archive.store.open(rendition.blob_key) as handle:
                result[rendition.label] = (handle.read().decode("utf-8"), rendition.params)
        return result


def test_step_writes_vtt_and_srt_renditions(archive, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    run_step(archive, asset_id, "subtitles")
    files = renditions(archive, asset_id)
    assert sorted(files) == ["srt", "vtt"]
    vtt_text, params = files["vtt"]
    assert params["preset"] == "default" and params["problems"] == 0
    captions = webvtt.from_buffer(io.StringIO(vtt_text)).captions
    assert captions[0].text.startswith("Guten Morgen")
    assert list(srt.parse(files["srt"][0]))[0].content.startswith("Guten Morgen")


def test_pipeline_parameters_choose_formats_and_preset(archive, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    run_step(archive, asset_id, "subtitles", formats=["vtt", "txt"], preset="de-broadcast")
    files = renditions(archive, asset_id)
    assert sorted(files) == ["txt", "vtt"]
    assert files["vtt"][1]["preset"] == "de-broadcast"
    lines = [line for line in files["vtt"][0].splitlines() if line and "-->" not in line]
    assert max(len(line) for line in lines[1:]) <= 37
    # Running again replaces the renditions instead of adding more.
    run_step(archive, asset_id, "subtitles", formats=["vtt", "txt"], preset="default")
    assert renditions(archive, asset_id)["vtt"][1]["preset"] == "default"


def test_setting_chooses_the_preset(archive, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    archive.settings.subtitle_preset = "de-broadcast"
    asset_id = transcribed_asset()
    run_step(archive, asset_id, "subtitles")
    assert renditions(archive, asset_id)["srt"][1]["preset"] == "de-broadcast"


def test_asset_without_transcript_is_skipped(archive, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from mediaarchive.db import Asset
    from mediaarchive.steps import SkipStep

    original = tmp_path / "stumm.mp4"
    original.write_bytes(b"silent video")
    blob = archive.store.put_file(original)
    with archive.session() as session:
        session.add(Asset(sha256=blob.sha256, size=blob.size, kind="video", blob_key=blob.key))
    with pytest.raises(SkipStep, match="no transcript"):
        run_step(archive, blob.sha256[:12], "subtitles")
    assert renditions(archive, blob.sha256[:12]) == {}


PIPELINE = """\
name: captions-only
description: Subtitles for assets transcribed elsewhere.
kinds: []
steps:
  - subtitles:
      formats: [vtt, srt, txt]
      preset: {preset}
"""


def test_pipeline_file_sets_the_steps_parameters(archive, transcribed_asset, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mediaarchive.pipeline.runner import queue_asset, run_queued

    pipeline = tmp_path / "captions.yaml"
    pipeline.write_text(PIPELINE.format(preset="de-broadcast"), encoding="utf-8")
    asset_id = transcribed_asset()
    with archive.session() as session:
        queue_asset(session, find_asset(session, asset_id), str(pipeline))
    result = run_queued(archive)
    assert result.failed == []
    files = renditions(archive, asset_id)
    assert sorted(files) == ["srt", "txt", "vtt"]
    assert {params["preset"] for _, params in files.values()} == {"de-broadcast"}
    with archive.session() as session:
        job = find_asset(session, asset_id).jobs[0]
        assert (job.step, job.state) == ("subtitles", "done")


def test_unknown_preset_in_a_pipeline_fails_the_job_with_a_clear_error(
    archive, transcribed_asset, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from mediaarchive.pipeline.runner import queue_asset, run_queued

    pipeline = tmp_path / "captions.yaml"
    pipeline.write_text(PIPELINE.format(preset="netflix"), encoding="utf-8")
    asset_id = transcribed_asset()
    with archive.session() as session:
        queue_asset(session, find_asset(session, asset_id), str(pipeline))
    run_queued(archive)
    with archive.session() as session:
        job = find_asset(session, asset_id).jobs[0]
        assert job.state == "failed"
        assert "unknown subtitle preset 'netflix'" in job.error


def test_a_transcript_without_speech_is_skipped(archive, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from mediaarchive.steps import SkipStep

    asset_id = transcribed_asset(None, title="Stille")
    with pytest.raises(SkipStep, match="no speech"):
        run_step(archive, asset_id, "subtitles")
    assert renditions(archive, asset_id) == {}
