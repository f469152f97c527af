"""ffprobe summaries of every kind of generated media, and clear errors for broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaarchive.errors import ProbeError
from mediaarchive.media.probe import display_size, probe_file, video_stream


@pytest.mark.parametrize("name, container", [("mp4", "mov,mp4"), ("mkv", "matroska")])
def test_talk_video_has_picture_and_speech(
    media_files: dict[str, Path], name: str, container: str
) -> None:
    probe = probe_file(media_files[name])
    assert probe["container"].startswith(container)
    assert probe["has_video"] and probe["has_audio"] and not probe["still"]
    assert 5 < probe["duration"] < 30
    video = next(s for s in probe["streams"] if s["type"] == "video")
    audio = next(s for s in probe["streams"] if s["type"] == "audio")
    assert (video["codec"], video["width"], video["height"]) == ("h264", 1280, 720)
    assert video["frame_rate"] == 5
    assert audio["codec"] == "aac" and audio["channels"] == 1 and audio["sample_rate"] == 22050


@pytest.mark.parametrize("name, codec", [("mp3", "mp3"), ("wav", "pcm_s16le")])
def test_audio_only_files(media_files: dict[str, Path], name: str, codec: str) -> None:
    probe = probe_file(media_files[name])
    assert probe["has_audio"] and not probe["has_video"]
    assert probe["streams"][0]["codec"] == codec
    assert probe["duration"] > 5
    assert probe["bitrate"] > 0


def test_silent_video_has_no_audio(media_files: dict[str, Path]) -> None:
    probe = probe_file(media_files["silent"])
    assert probe["has_video"] and not probe["has_audio"]
    assert probe["duration"] == pytest.approx(5.0, abs=0.2)


def test_image_is_a_still(media_files: dict[str, Path]) -> None:
    probe = probe_file(media_files["image"])
    assert probe["still"] and probe["duration"] is None
    assert probe["streams"][0]["codec"] == "png"
    assert (probe["streams"][0]["width"], probe["streams"][0]["height"]) == (1280, 720)


def test_corrupt_file_is_a_probe_error_naming_it(media_files: dict[str, Path]) -> None:
    with pytest.raises(ProbeError, match="asset abc123.*damaged or not a media file"):
        probe_file(media_files["corrupt"], label="asset abc123")


def test_empty_file_is_a_probe_error(media_files: dict[str, Path]) -> None:
    with pytest.raises(ProbeError, match="empty"):
        probe_file(media_files["empty"], label="asset abc123")


def test_display_size_stretches_non_square_pixels(odd_geometry_clips: dict[str, Path]) -> None:
    video = video_stream(probe_file(odd_geometry_clips["anamorphic"]))
    assert video is not None
    assert (video["width"], video["height"], video["sample_aspect_ratio"]) == (320, 180, "2:1")
    assert display_size(video) == (640, 180)


def test_display_size_turns_rotated_video(odd_geometry_clips: dict[str, Path]) -> None:
    video = video_stream(probe_file(odd_geometry_clips["rotated"]))
    assert video is not None
    assert abs(video["rotation"]) == 90
    assert display_size(video) == (180, 320)


@pytest.mark.parametrize(
    "args, from_header",
    [
        (["-ar", "16000", "-ac", "1", "-c:a", "pcm_s16le"], True),
        (["-ar", "44100", "-ac", "2", "-c:a", "pcm_s24le"], False),  # WAVE_FORMAT_EXTENSIBLE
        (["-ar", "48000", "-ac", "1", "-c:a", "pcm_f32le"], False),
        (["-ar", "8000", "-ac", "1", "-c:a", "pcm_u8", "-metadata", "title=Eröffnung"], True),
        (
            [
                *("-ar", "16000", "-ac", "1", "-metadata", "title=Grüße aus dem Labor"),
                *("-metadata", "artist=Dr. Anna Beispiel", "-metadata", "comment=Keynote"),
                *("-metadata", "date=2026-05-01", "-metadata", "genre=Speech"),
            ],
            True,
        ),
    ],
)
def test_a_wav_read_from_its_header_probes_as_ffprobe_sees_it(
    tmp_path: Path, args: list[str], from_header: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    import ffmpeg

    from mediaarchive.media.probe import summarise

    path = tmp_path / "talk.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=2.37", *args, str(path)],
        check=True,
    )
    expected = summarise(ffmpeg.probe(str(path), v="error"))
    if from_header:  # ffprobe is not started (0.08-0.12 s each time), tags included
        monkeypatch.setattr(ffmpeg, "probe", lambda *a, **k: pytest.fail("ffprobe was started"))
    assert probe_file(path) == expected


def test_a_wav_whose_tags_are_not_utf8_is_probed_by_ffprobe(tmp_path: Path) -> None:
    import struct

    import ffmpeg

    from mediaarchive.media.probe import summarise

    # An old recorder's title in Latin-1 ("Bürgerdialog"): shown as ffprobe shows it.
    title = "Bürgerdialog".encode("latin-1") + b"\0"
    info = b"INFO" + b"INAM" + struct.pack("<I", len(title)) + title + b"\0"  # (padded even)
    samples = b"\0\0" * 16000
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    body = (
        b"WAVE"
        + b"fmt " + struct.pack("<I", len(fmt)) + fmt
        + b"LIST" + struct.pack("<I", len(info)) + info
        + b"data" + struct.pack("<I", len(samples)) + samples
    )  # fmt: skip
    path = tmp_path / "alt.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    probe = probe_file(path)
    assert probe == summarise(ffmpeg.probe(str(path), v="error"))
    assert probe["duration"] == pytest.approx(1.0) and probe["tags"]["title"]


def test_a_wav_cut_short_is_still_judged_by_ffprobe(tmp_path: Path) -> None:
    import subprocess

    import ffmpeg

    from mediaarchive.media.probe import summarise

    path = tmp_path / "cut.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=60", "-ac", "1", str(path)],
        check=True,
    )
    assert probe_file(path)["duration"] == pytest.approx(60, abs=0.01)
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    # The header still claims 60 s: not trusted, ffprobe measures what is there.
    probe = probe_file(path)
    assert probe == summarise(ffmpeg.probe(str(path), v="error"))
    assert probe["duration"] == pytest.approx(30, abs=0.5)
