"""Finding the slides of a talk video: where the picture changes and then holds still.

ffmpeg decodes the video once into a small grayscale stream (``SAMPLE_WIDTH`` pixels wide,
``sample_fps`` frames a second) that we compare frame by frame with numpy: a slide starts
where enough pixels differ clearly from the current slide's picture. Spans shorter than
``min_seconds`` (fades, flicker, a hand in front of the camera) join the slide that follows.
We measured this against ffmpeg's own scene filter (``select=gt(scene,0.3)``): the scene
score of a text-only slide change is often far below any usable threshold, while the share of
changed pixels catches a changed line of text (``benchmarks/ocr.py``).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mediaarchive.errors import ConfigError, OcrError, ProbeError
from mediaarchive.media.probe import display_size, probe_file, video_stream

#: Width (pixels) of the comparison stream; its height follows the aspect ratio.
SAMPLE_WIDTH = 320
#: A pixel has changed when its gray level moves by more than this (0–255).
PIXEL_DELTA = 40
#: Standard deviation of gray levels below which a frame is blank (black, one colour).
BLANK_STDDEV = 4.0


@dataclass(frozen=True)
class SlideOptions:
    """Parameters of slide-change detection."""

    #: Frames compared per second of video (time resolution: 1 / sample_fps).
    sample_fps: float = 4.0
    #: Share of changed pixels (0–1) that makes a new slide.
    change_fraction: float = 0.003
    #: Shorter spans (transitions) join the next slide.
    min_seconds: float = 1.0
    #: At most this many slides (the longest are kept); guards against camera footage.
    max_slides: int = 500


@dataclass
class SlideSpan:
    """A stretch of video showing one slide."""

    start: float
    end: float
    #: The picture is blank (a black lead-in): nothing to read.
    blank: bool = False

    @property
    def frame_time(self) -> float:
        """When to take the slide's picture: its middle, clear of fades at either end."""
        return self.start + (self.end - self.start) / 2


def _require(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        raise ConfigError(f"{tool} is not installed: run 'make setup' (Debian: ffmpeg)")
    return found


def video_geometry(video: Path) -> tuple[int, int, float]:
    """Width and height as shown (pixel aspect ratio and rotation applied, as ffmpeg decodes
    the frames) and duration in seconds (NaN when unknown) of a video.

    Raises:
        ProbeError: ffprobe cannot read it or it has no video stream.
    """
    probe = probe_file(video)
    stream = video_stream(probe)
    size = display_size(stream) if stream is not None else None
    if size is None:
        raise ProbeError(f"{video} has no video stream to find slides in")
    duration = probe.get("duration")
    return size[0], size[1], float("nan") if duration is None else float(duration)


def _frames(video: Path, size: tuple[int, int], fps: float, threads: int) -> Iterator[bytes]:
    width, height = size
    cmd = [
        _require("ffmpeg"),
        "-v",
        "error",
        "-nostdin",
        "-threads",
        str(max(1, threads)),
        "-i",
        str(video),
        "-an",
        "-sn",
        "-dn",
        "-vf",
        f"fps={fps},scale={width}:{height}:flags=area,format=gray",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "gray",
        "pipe:1",
    ]
    frame_bytes = width * height
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    try:
        while True:
            chunk = process.stdout.read(frame_bytes)
            if len(chunk) < frame_bytes:
                break
            yield chunk
    finally:
        process.stdout.close()
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
        code = process.wait()
    if code != 0:
        raise OcrError(
            f"ffmpeg could not decode {video} to find slides: "
            f"{stderr.strip().splitlines()[-1] if stderr.strip() else code}"
        )


def detect_slides(
    video: Path,
    *,
    options: SlideOptions | None = None,
    threads: int = 1,
    progress: Callable[[float, float], None] | None = None,
) -> list[SlideSpan]:
    """The slides of a video, in order, covering it from 0 to its end.

    Args:
        video: any video ffmpeg decodes.
        options: detection parameters.
        threads: decoder threads for ffmpeg.
        progress: called with (seconds done, seconds in all) as frames arrive.

    Raises:
        ProbeError: the file has no readable video stream.
        OcrError: ffmpeg fails while decoding.
    """
    import numpy as np

    opts = options or SlideOptions()
    width, height, duration = video_geometry(video)
    sample_height = max(2, round(SAMPLE_WIDTH * height / max(1, width) / 2) * 2)
    size = (SAMPLE_WIDTH, sample_height)
    step = 1.0 / opts.sample_fps
    starts: list[float] = [0.0]
    blank: list[bool] = []
    reference = None
    count = 0
    for count, chunk in enumerate(_frames(video, size, opts.sample_fps, threads), start=1):
        frame = np.frombuffer(chunk, dtype=np.uint8).astype(np.int16)
        if reference is None:
            reference = frame
            blank.append(float(frame.std()) < BLANK_STDDEV)
        else:
            changed = np.count_nonzero(np.abs(frame - reference) > PIXEL_DELTA) / frame.size
            if changed > opts.change_fraction:
                # The change happened between the previous sample and this one.
                starts.append((count - 1) * step - step / 2)
                blank.append(float(frame.std()) < BLANK_STDDEV)
                reference = frame
        if progress is not None and count % 20 == 0:
            progress(count * step, duration)
    if count == 0:
        raise OcrError(f"ffmpeg decoded no frames from {video}: the video stream is empty")
    end = duration if duration == duration else count * step  # NaN check: no duration
    spans = [
        SlideSpan(start=max(0.0, s), end=e, blank=b)
        for s, e, b in zip(starts, [*starts[1:], end], blank, strict=True)
    ]
    spans = _merge_short(spans, opts.min_seconds)
    if len(spans) > opts.max_slides:
        keep = sorted(
            sorted(spans, key=lambda s: s.end - s.start)[-opts.max_slides :], key=lambda s: s.start
        )
        spans = keep
    if progress is not None:
        progress(end, end)
    return spans


def _merge_short(spans: list[SlideSpan], min_seconds: float) -> list[SlideSpan]:
    """Give spans shorter than ``min_seconds`` to the slide after them (the last one's to the
    slide before)."""
    merged: list[SlideSpan] = []
    pending_start: float | None = None
    for span in spans:
        start = span.start if pending_start is None else pending_start
        if span.end - span.start < min_seconds and span is not spans[-1]:
            pending_start = start
            continue
        pending_start = None
        merged.append(SlideSpan(start=start, end=span.end, blank=span.blank))
    if len(merged) > 1 and merged[-1].end - merged[-1].start < min_seconds:
        last = merged.pop()
        merged[-1].end = last.end
    return merged


def extract_frame(video: Path, seconds: float, target: Path, *, threads: int = 1) -> Path:
    """Save the video's frame at ``seconds`` as an image (format from the suffix).

    Raises:
        OcrError: ffmpeg fails or gives no frame.
    """
    cmd = [
        _require("ffmpeg"),
        "-v",
        "error",
        "-nostdin",
        "-y",
        "-threads",
        str(max(1, threads)),
        "-ss",
        f"{max(0.0, seconds):.3f}",
        "-i",
        str(video),
        "-frames:v",
        "1",
        "-an",
        "-q:v",
        "2",
        str(target),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise OcrError(
            f"ffmpeg could not take the frame at {seconds:.2f} s of {video}: "
            f"{result.stderr.strip()[-300:] or 'no frame'}"
        )
    return target


def scene_filter_changes(video: Path, threshold: float = 0.3, threads: int = 1) -> list[float]:
    """Slide-change times from ffmpeg's scene filter (the baseline the benchmark compares)."""
    cmd = [
        _require("ffmpeg"),
        "-v",
        "info",
        "-nostdin",
        "-threads",
        str(max(1, threads)),
        "-i",
        str(video),
        "-an",
        "-vf",
        f"select='gt(scene,{threshold})',showinfo",
        "-f",
        "null",
        "-",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    times = [0.0]
    for line in result.stderr.splitlines():
        if "Parsed_showinfo" in line and "pts_time:" in line:
            times.append(float(line.split("pts_time:")[1].split()[0]))
    return times


def spans_json(spans: list[SlideSpan]) -> list[dict[str, Any]]:
    return [{"start": round(s.start, 3), "end": round(s.end, 3), "blank": s.blank} for s in spans]
