"""What a media file contains, from ffprobe (through ffmpeg-python).

``probe_file`` returns a plain, JSON-ready summary (duration, container, bitrate, streams
with codecs, resolution, frame rate, sample rate, channels) that is stored on the asset and
tells the pipeline which renditions make sense: a video without audio gets no speech audio,
an audio file gets no poster, a still image gets a thumbnail.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from mediaarchive.errors import ConfigError, ProbeError
from mediaarchive.media.wav import probe_wav

#: Codecs ffprobe reports for single still images.
STILL_IMAGE_CODECS = {
    "png",
    "mjpeg",
    "jpegls",
    "webp",
    "gif",
    "bmp",
    "tiff",
    "jpeg2000",
    "ppm",
    "pgm",
    "pam",
    "qoi",
    "avif",
    "heic",
    "svg",
}

#: ffprobe lines that add nothing to the error above them.
_GENERIC_LINES = ("conversion failed", "exiting normally")


def probe_file(path: Path, *, label: str | None = None) -> dict[str, Any]:
    """Summarise a media file with ffprobe.

    Args:
        path: the file to read.
        label: how to name the file in errors (e.g. "asset 1a2b3c4d5e6f (talk.mp4)").

    Raises:
        ProbeError: the file is empty, corrupt or holds no audio or video stream.
    """
    name = label or str(path)
    path = Path(path)
    if not path.exists():
        raise ProbeError(f"cannot probe {name}: the file {path} does not exist")
    if path.stat().st_size == 0:
        raise ProbeError(
            f"cannot probe {name}: the file is empty (0 bytes); "
            "ingest it again from a complete source"
        )
    raw = probe_wav(path)  # a plain PCM WAV is read from its header: no ffprobe to start
    if raw is not None:
        return summarise(raw, name)
    try:
        raw = ffmpeg.probe(str(path), v="error")
    except ffmpeg.Error as exc:
        reason = last_meaningful_line(exc.stderr) or "ffprobe could not read it"
        reason = reason.replace(f"{path}: ", "")
        raise ProbeError(
            f"cannot probe {name}: {reason} (the file is damaged or not a media file)"
        ) from exc
    except FileNotFoundError as exc:
        raise ConfigError("ffprobe is not installed: run 'make setup' to install ffmpeg") from exc
    except (OSError, ValueError) as exc:
        raise ProbeError(f"cannot probe {name}: {exc}") from exc
    return summarise(raw, name)


def summarise(raw: dict[str, Any], name: str = "file") -> dict[str, Any]:
    """Turn ffprobe's JSON into the summary stored on an asset."""
    fmt = raw.get("format") or {}
    streams = [_stream(s) for s in raw.get("streams") or []]
    media = [s for s in streams if s["type"] in ("video", "audio")]
    if not media:
        raise ProbeError(f"cannot probe {name}: it holds no audio or video stream")
    video = [s for s in streams if s["type"] == "video" and not s.get("attached_pic")]
    audio = [s for s in streams if s["type"] == "audio"]
    container = fmt.get("format_name")
    still = (
        bool(video)
        and not audio
        and all(s["codec"] in STILL_IMAGE_CODECS and (s.get("frames") in (None, 1)) for s in video)
        and (container or "").endswith(("_pipe", "image2", "webp_pipe", "gif"))
    )
    duration = _float(fmt.get("duration"))
    if duration is None:
        durations = [s["duration"] for s in media if s.get("duration")]
        duration = max(durations) if durations else None
    if still:
        duration = None
    return {
        "container": container,
        "container_name": fmt.get("format_long_name"),
        "duration": duration,
        "bitrate": _int(fmt.get("bit_rate")),
        "start_time": _float(fmt.get("start_time")),
        "size": _int(fmt.get("size")),
        "has_video": bool(video),
        "has_audio": bool(audio),
        "still": still,
        "streams": streams,
        "tags": {
            k.lower(): v
            for k, v in (fmt.get("tags") or {}).items()
            if k.lower() in ("title", "artist", "comment", "date", "creation_time")
        },
    }


def video_stream(probe: dict[str, Any]) -> dict[str, Any] | None:
    """The first real video stream (not cover art) of a probe summary."""
    for stream in probe.get("streams", []):
        if stream["type"] == "video" and not stream.get("attached_pic"):
            return stream
    return None


def audio_stream(probe: dict[str, Any]) -> dict[str, Any] | None:
    """The first audio stream of a probe summary."""
    for stream in probe.get("streams", []):
        if stream["type"] == "audio":
            return stream
    return None


def display_size(stream: dict[str, Any]) -> tuple[int, int] | None:
    """Width and height as shown: the pixels stretched by the sample aspect ratio, then
    turned by the rotation that ffmpeg applies by default."""
    width, height = stream.get("width"), stream.get("height")
    if not width or not height:
        return None
    aspect = pixel_aspect(stream)
    if aspect != 1:
        width = max(1, round(width * aspect))
    if abs(int(stream.get("rotation") or 0)) % 180 == 90:
        return height, width
    return width, height


def pixel_aspect(stream: dict[str, Any]) -> Fraction:
    """The shape of a pixel (its width over its height): 1 for square ones, or when unknown."""
    return _aspect(stream.get("sample_aspect_ratio")) or Fraction(1)


def _stream(raw: dict[str, Any]) -> dict[str, Any]:
    kind = raw.get("codec_type") or "data"
    stream: dict[str, Any] = {
        "index": raw.get("index"),
        "type": kind,
        "codec": raw.get("codec_name"),
        "profile": raw.get("profile"),
        "duration": _float(raw.get("duration")),
        "bitrate": _int(raw.get("bit_rate")),
    }
    language = (raw.get("tags") or {}).get("language")
    if language and language != "und":
        stream["language"] = language
    if kind == "video":
        # Not square pixels (anamorphic DVD, DV) when not 1:1: display_size stretches the width.
        sar = raw.get("sample_aspect_ratio")
        stream.update(
            width=raw.get("width"),
            height=raw.get("height"),
            pixel_format=raw.get("pix_fmt"),
            frame_rate=_rate(raw.get("avg_frame_rate")) or _rate(raw.get("r_frame_rate")),
            frames=_int(raw.get("nb_frames")),
            sample_aspect_ratio=sar if _aspect(sar) else None,
            rotation=_rotation(raw),
            attached_pic=bool((raw.get("disposition") or {}).get("attached_pic")),
        )
    elif kind == "audio":
        stream.update(
            sample_rate=_int(raw.get("sample_rate")),
            channels=raw.get("channels"),
            channel_layout=raw.get("channel_layout"),
        )
    return stream


def _rotation(raw: dict[str, Any]) -> int:
    for side in raw.get("side_data_list") or []:
        if "rotation" in side:
            return int(float(side["rotation"]))
    rotate = (raw.get("tags") or {}).get("rotate")
    return int(float(rotate)) if rotate else 0


def _aspect(value: str | None) -> Fraction | None:
    """A sample aspect ratio ("16:11") as a fraction; None when unknown ("N/A", "0:1")."""
    num, sep, den = (value or "").partition(":")
    try:
        aspect = Fraction(int(num), int(den)) if sep else None
    except (ValueError, ZeroDivisionError):
        return None
    return aspect if aspect else None


def _rate(value: str | None) -> float | None:
    if not value or value in ("0/0", "0"):
        return None
    try:
        rate = float(Fraction(value))
    except (ValueError, ZeroDivisionError):
        return None
    return round(rate, 3) if rate > 0 else None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "N/A") else None
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "N/A") else None
    except (TypeError, ValueError):
        return None


def last_meaningful_line(stderr: bytes | str | None) -> str | None:
    """The last stderr line of ffmpeg/ffprobe that says what went wrong."""
    if not stderr:
        return None
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if not line.lower().startswith(_GENERIC_LINES):
            return line
    return lines[-1] if lines else None
