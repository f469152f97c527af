"""Is the whole recording there? A file cut short (an interrupted copy, a half upload) often
keeps a header that claims the full duration: a faststart MP4's index, an MKV's duration,
an MP3's Xing frame. Comparing the time of the last packet with the container's duration
tells, cheaply: only the packets near the claimed end are read (demuxed, not decoded);
when they are missing the demuxer falls back to reading from the start of what is there.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from mediaarchive.errors import ConfigError, ProbeError
from mediaarchive.media.wav import wav_layout

#: Seconds before the claimed end where the reading starts.
WINDOW = 30.0


def clock(seconds: float) -> str:
    """``0:04:12``."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def last_packet_end(path: Path, start: float) -> float | None:
    """The end time of the last audio or video packet read from ``start`` seconds on."""
    command = [
        "ffprobe",
        "-v",
        "quiet",
        "-read_intervals",
        f"{max(0.0, start):.3f}%",
        "-show_entries",
        "packet=pts_time,duration_time",
        "-of",
        "csv=p=0",
        str(path),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except FileNotFoundError as exc:
        raise ConfigError("ffprobe is not installed: run 'make setup' to install ffmpeg") from exc
    end = None
    for line in result.stdout.splitlines():
        fields = line.split(",")
        try:
            pts = float(fields[0])
        except (ValueError, IndexError):
            continue
        try:
            duration = float(fields[1]) if len(fields) > 1 else 0.0
        except ValueError:
            duration = 0.0
        end = max(end or 0.0, pts + duration)
    return end


def truncation(path: Path, probe: dict[str, Any]) -> tuple[float, float] | None:
    """(seconds there, seconds claimed) when the streams end well before the container's
    duration says; None for a complete file (or one without a duration to compare)."""
    claimed = probe.get("duration")
    if not claimed or probe.get("still"):
        return None
    if wav_layout(path) is not None:
        return None  # a PCM WAV whose samples are all there (its header says how many)
    start = float(probe.get("start_time") or 0.0)
    end = last_packet_end(path, start + claimed - WINDOW)
    if end is None:
        return (0.0, claimed)
    there = end - start
    if there < claimed - max(2.0, 0.01 * claimed):
        return (max(0.0, there), claimed)
    return None


def check_complete(path: Path, probe: dict[str, Any], name: str, *, accept: bool) -> None:
    """Raise ``ProbeError`` for a truncated recording (unless ``accept``: then the probe
    summary records it and its duration becomes what is there)."""
    cut = truncation(path, probe)
    if cut is None:
        return
    there, claimed = cut
    if accept:
        probe["truncated"] = {"at": round(there, 3), "of": round(claimed, 3)}
        probe["duration"] = round(there, 3)
        return
    raise ProbeError(
        f"cannot probe {name}: truncated at {clock(there)} of {clock(claimed)} (the file was "
        "cut short: ingest it again from a complete source, or accept what is there with "
        "'mediaarchive retry --accept-truncated ID')"
    )


#: ffmpeg decodes images up to (width + 128) x (height + 128) < 2^31 / 8 bytes' worth of
#: pixels (about 268 million); beyond that it fails with a message that says nothing useful.
MAX_PIXELS = 250_000_000


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (ffprobe reports 0x0 for one too large)."""
    with open(path, "rb") as handle:
        head = handle.read(24)
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    return 0, 0


def check_decodable(path: Path, probe: dict[str, Any], name: str) -> None:
    """Raise ``ProbeError`` for a picture too large to decode, saying its size."""
    for stream in probe.get("streams", []):
        if stream.get("type") != "video":
            continue
        width, height = stream.get("width") or 0, stream.get("height") or 0
        if not width and stream.get("codec") == "png":
            width, height = _png_size(path)
        if width * height > MAX_PIXELS:
            raise ProbeError(
                f"cannot process {name}: the picture is {width}x{height} pixels "
                f"({width * height / 1e6:.0f} megapixels), more than the "
                f"{MAX_PIXELS // 1_000_000} megapixels ffmpeg can decode; the original is "
                "archived, add a smaller copy for thumbnails and text recognition"
            )
