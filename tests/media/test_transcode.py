"""Renditions made by real ffmpeg, checked by probing them."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from mediaarchive import synth
from mediaarchive.errors import TranscodeError
from mediaarchive.media.probe import probe_file
from mediaarchive.media.transcode import (
    extract_speech_audio,
    fit_within,
    make_poster,
    make_proxy,
    make_speech_and_proxy,
    make_thumbnail,
)
from tests.fixtures.media import GERMAN_TALK


@pytest.mark.parametrize("name", ["mp4", "mkv", "mp3", "wav"])
def test_speech_audio_is_16khz_mono_pcm(
    media_files: dict[str, Path], tmp_path: Path, name: str
) -> None:
    source = media_files[name]
    probe = probe_file(source)
    seen: list[float] = []
    params = extract_speech_audio(
        source,
        tmp_path / "speech.wav",
        probe,
        label="asset x",
        threads=1,
        progress=lambda d, t, u: seen.append(d),
    )
    out = probe_file(tmp_path / "speech.wav")
    stream = out["streams"][0]
    assert (stream["codec"], stream["sample_rate"], stream["channels"]) == ("pcm_s16le", 16000, 1)
    assert out["duration"] == pytest.approx(probe["duration"], abs=0.1)
    assert params["sample_rate"] == 16000 and "OUTPUT" in params["ffmpeg"]
    assert seen and seen[-1] == pytest.approx(probe["duration"])


def test_proxy_is_h264_aac_faststart_within_720p(tmp_path: Path) -> None:
    source = synth.talk_video(GERMAN_TALK[:1], size=(1920, 1080))
    target = tmp_path / "proxy.mp4"
    params = make_proxy(source, target, probe_file(source), label="asset x", threads=2)
    out = probe_file(target)
    video = next(s for s in out["streams"] if s["type"] == "video")
    audio = next(s for s in out["streams"] if s["type"] == "audio")
    assert (video["codec"], video["pixel_format"]) == ("h264", "yuv420p")
    assert (video["width"], video["height"]) == (1280, 720)
    assert audio["codec"] == "aac"
    data = target.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "moov atom must come first (+faststart)"
    assert params["width"] == 1280 and params["faststart"] is True


def test_proxy_of_anamorphic_video_has_square_pixels_at_the_shown_size(
    odd_geometry_clips: dict[str, Path], tmp_path: Path
) -> None:
    source = odd_geometry_clips["anamorphic"]
    target = tmp_path / "proxy.mp4"
    params = make_proxy(source, target, probe_file(source), label="asset x")
    video = next(s for s in probe_file(target)["streams"] if s["type"] == "video")
    assert (video["width"], video["height"]) == (640, 180)
    assert video["sample_aspect_ratio"] in (None, "1:1")
    assert (params["width"], params["height"]) == (640, 180)


def test_proxy_of_audio_file_is_aac_mp4(media_files: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "proxy.mp4"
    source = probe_file(media_files["mp3"])
    params = make_proxy(media_files["mp3"], target, source, label="asset x")
    out = probe_file(target)
    assert [s["codec"] for s in out["streams"]] == ["aac"]
    assert abs(out["duration"] - source["duration"]) < 0.1  # all of it
    # What made it is on record, the quicker AAC coder included (the proxy's cost).
    assert params["audio_coder"] == "fast" and "-aac_coder" in params["ffmpeg"]


def audio_packets_md5(path: Path) -> str:
    """The MD5 of the first audio stream's packets as stored (no decoding)."""
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-c", "copy", "-f", "md5", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_proxy_of_aac_audio_copies_it_and_other_sound_is_encoded(
    media_files: dict[str, Path], tmp_path: Path
) -> None:
    m4a = synth.encode_audio(media_files["wav"], "m4a")  # AAC-LC, as phones record it
    probe = probe_file(m4a)
    target = tmp_path / "proxy.mp4"
    params = make_proxy(m4a, target, probe, label="asset x")
    # The sound is the source's, packet for packet: no second lossy encoding.
    assert audio_packets_md5(target) == audio_packets_md5(m4a)
    assert probe_file(target)["duration"] == pytest.approx(probe["duration"], abs=0.05)
    assert params["audio_copied"] is True and "copy" in params["ffmpeg"]
    # Six channels of AAC are mixed down to two, so encoded (as MP3 or PCM always are).
    surround = tmp_path / "surround.m4a"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=2"),
            *("-ac", "6", "-c:a", "aac", str(surround)),
        ],
        check=True,
    )
    params = make_proxy(surround, tmp_path / "p6.mp4", probe_file(surround), label="asset x")
    assert "audio_copied" not in params and params["audio_coder"] == "fast"
    assert probe_file(tmp_path / "p6.mp4")["streams"][0]["channels"] == 2


def pcm_frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as handle:
        assert (handle.getframerate(), handle.getnchannels()) == (16000, 1)
        return handle.readframes(handle.getnframes())


def test_speech_audio_and_proxy_in_one_run_are_those_made_apart(
    media_files: dict[str, Path], tmp_path: Path
) -> None:
    source = media_files["mp3"]
    probe = probe_file(source)
    seen: list[float] = []
    speech, proxy = make_speech_and_proxy(
        source,
        (tmp_path / "speech.wav", tmp_path / "proxy.mp4"),
        probe,
        label="asset x",
        progress=lambda d, t, u: seen.append(d),
    )
    apart = tmp_path / "apart.wav"
    extract_speech_audio(source, apart, probe, label="asset x")
    # The transcriber hears exactly what it heard from a run of its own, all of it.
    assert pcm_frames(tmp_path / "speech.wav") == pcm_frames(apart)
    assert len(pcm_frames(apart)) / 2 / 16000 == pytest.approx(probe["duration"], abs=0.1)
    out = probe_file(tmp_path / "proxy.mp4")
    assert [s["codec"] for s in out["streams"]] == ["aac"]
    assert out["duration"] == pytest.approx(probe["duration"], abs=0.1)
    # Each records the one command that made both, its own file as OUTPUT.
    assert speech["ffmpeg"].count("-i") == 1 and "OTHER_OUTPUT" in speech["ffmpeg"]
    assert speech["ffmpeg"].index("OUTPUT") < speech["ffmpeg"].index("OTHER_OUTPUT")
    assert proxy["ffmpeg"].index("OTHER_OUTPUT") < proxy["ffmpeg"].index("OUTPUT")
    assert (speech["sample_rate"], proxy["audio_coder"]) == (16000, "fast")
    assert seen and seen[-1] == pytest.approx(probe["duration"])


def test_a_failed_run_of_both_names_the_asset_and_both_renditions(
    media_files: dict[str, Path], tmp_path: Path
) -> None:
    probe = probe_file(media_files["wav"])
    with pytest.raises(TranscodeError, match="speech audio and web proxy of asset x: .*Invalid"):
        make_speech_and_proxy(
            media_files["corrupt"],
            (tmp_path / "speech.wav", tmp_path / "proxy.mp4"),
            probe,
            label="asset x",
        )


def test_portrait_video_keeps_its_shape() -> None:
    assert fit_within(1080, 1920, 1280, 720) == (720, 1280)
    assert fit_within(1920, 1080, 1280, 720) == (1280, 720)
    assert fit_within(641, 361, 1280, 720) == (640, 360)  # even, never scaled up


def test_poster_skips_black_lead_in(tmp_path: Path) -> None:
    source = synth.talk_video(GERMAN_TALK[:1], lead_in=3.0)
    target = tmp_path / "poster.jpg"
    params = make_poster(source, target, probe_file(source), label="asset x")
    with Image.open(target) as image:
        assert image.size == (1280, 720)
        mean = ImageStat.Stat(image.convert("L")).mean[0]
    assert mean > 100, "the poster shows the white slide, not the black lead-in"
    assert params["time"] >= 3.0


def test_thumbnail_of_image_is_bounded(media_files: dict[str, Path], tmp_path: Path) -> None:
    for image_format in ("jpeg", "webp"):
        target = tmp_path / f"thumb.{image_format}"
        make_thumbnail(
            media_files["image"],
            target,
            probe_file(media_files["image"]),
            label="asset x",
            max_size=320,
            image_format=image_format,
        )
        with Image.open(target) as image:
            assert max(image.size) == 320 and image.format == image_format.upper()


def test_ffmpeg_failure_names_asset_and_reason(
    media_files: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "missing-folder" / "speech.wav"
    probe = probe_file(media_files["wav"])
    with pytest.raises(TranscodeError) as caught:
        extract_speech_audio(media_files["wav"], target, probe, label="asset 1a2b3c4d5e6f")
    message = str(caught.value)
    assert "asset 1a2b3c4d5e6f" in message and "No such file or directory" in message
    assert not caught.value.transient


def test_no_speech_audio_from_silent_video(media_files: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(TranscodeError, match="no audio stream"):
        extract_speech_audio(
            media_files["silent"],
            tmp_path / "s.wav",
            probe_file(media_files["silent"]),
            label="asset x",
        )
