"""Renditions made with ffmpeg (through ffmpeg-python): speech audio, web proxy, poster, thumbnail.

Each function writes one file and returns the parameters that made it (stored with the
rendition). ffmpeg runs with ``-threads`` from the runner's budget, reports its progress on a
pipe, and dies with the process that started it, so a killed run leaves no ffmpeg behind.
A failure becomes a ``TranscodeError`` naming the asset and ffmpeg's last meaningful line.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import statistics
import subprocess
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from mediaarchive.errors import ConfigError, TranscodeError
from mediaarchive.media.probe import (
    audio_stream,
    display_size,
    last_meaningful_line,
    pixel_aspect,
    video_stream,
)

#: Called with (done, total, unit) while ffmpeg runs.
Progress = Callable[[float, float, str], None]

SPEECH_SAMPLE_RATE = 16000
#: EBU R128 target for optional loudness normalisation of the speech audio.
LOUDNORM = {"I": -23, "TP": -2, "LRA": 15}
#: ffmpeg's AAC coder for the web proxy's sound (see ``make_proxy``).
AAC_CODER = "fast"

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ProxyOptions:
    """How the web proxy is encoded (H.264 + AAC in MP4 with the index up front)."""

    max_width: int = 1280
    max_height: int = 720
    crf: int = 23
    preset: str = "veryfast"
    audio_bitrate: str = "128k"


def _load_prctl() -> Callable[..., int] | None:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:  # pragma: no cover - not Linux
        return None
    try:
        return ctypes.CDLL(libc_name, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return None


# Looked up once here: the child may only make the call between fork and exec.
_PRCTL = _load_prctl()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to kill ffmpeg when the process that started it dies (even by SIGKILL)."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


def run_ffmpeg(
    stream: Any,
    *,
    label: str,
    what: str,
    duration: float | None = None,
    progress: Progress | None = None,
) -> list[str]:
    """Run an ffmpeg-python output stream; returns the command line that ran.

    Raises:
        TranscodeError: ffmpeg exited non-zero (its last meaningful stderr line is quoted).
    """
    args = (
        stream.global_args(
            "-nostdin", "-hide_banner", "-loglevel", "error", "-progress", "pipe:1", "-nostats"
        )
        .overwrite_output()
        .compile()
    )
    run_command(args, label=label, what=what, duration=duration, progress=progress)
    return args


def run_command(
    args: list[str],
    *,
    label: str,
    what: str,
    duration: float | None = None,
    progress: Progress | None = None,
) -> bytes:
    """Run an ffmpeg command line whose ``-progress`` goes to stdout; returns nothing useful.

    Kept separate from ``run_ffmpeg`` so that frame grabs can read raw pixels from stdout.
    """
    capture = "-progress" not in args
    try:
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent,
        )
    except FileNotFoundError as exc:
        raise ConfigError("ffmpeg is not installed: run 'make setup' to install it") from exc
    errors: deque[bytes] = deque(maxlen=40)
    drain = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)
    drain.start()
    output = b""
    assert process.stdout is not None
    if capture:
        output = process.stdout.read()
    else:
        for raw in process.stdout:
            line = raw.decode("ascii", "replace").strip()
            if progress and duration and line.startswith(("out_time_us=", "out_time_ms=")):
                value = line.split("=", 1)[1]
                if value.lstrip("-").isdigit():
                    progress(min(duration, max(0.0, int(value) / 1e6)), duration, "s")
    returncode = process.wait()
    drain.join(timeout=5)
    if returncode != 0:
        reason = last_meaningful_line(b"".join(errors)) or f"exit code {returncode}"
        killed = returncode < 0
        if killed:
            reason = f"ffmpeg was killed by signal {-returncode}"
        raise TranscodeError(
            f"ffmpeg could not make the {what} of {label}: {reason}",
            transient=killed,
        )
    if progress and duration:
        progress(duration, duration, "s")
    return output


def extract_speech_audio(
    source: Path,
    target: Path,
    probe: dict[str, Any],
    *,
    label: str,
    threads: int = 1,
    loudnorm: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The first audio stream as 16 kHz mono 16-bit PCM WAV (what the transcriber reads)."""
    out, params = _speech_output(
        ffmpeg.input(str(source), threads=threads), target, probe, label, threads, loudnorm
    )
    args = run_ffmpeg(
        out, label=label, what="speech audio", duration=probe.get("duration"), progress=progress
    )
    return {**params, "ffmpeg": _portable(args, source, target)}


def _speech_output(
    source_input: Any, target: Path, probe: dict[str, Any], label: str, threads: int, loudnorm: bool
) -> tuple[Any, dict[str, Any]]:
    """The speech audio's ffmpeg output and the parameters that make it."""
    audio = audio_stream(probe)
    if audio is None:
        raise TranscodeError(f"{label} has no audio stream: there is no speech to extract")
    source_stream = source_input["a:0"]
    if loudnorm:
        source_stream = source_stream.filter("loudnorm", **LOUDNORM)
    out = source_stream.output(
        str(target),
        ac=1,
        ar=SPEECH_SAMPLE_RATE,
        acodec="pcm_s16le",
        f="wav",
        threads=threads,
    )
    return out, {
        "codec": "pcm_s16le",
        "container": "wav",
        "sample_rate": SPEECH_SAMPLE_RATE,
        "channels": 1,
        "loudnorm": dict(LOUDNORM) if loudnorm else None,
        "source_stream": audio["index"],
    }


def fit_within(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """Scale (width, height) down to fit the box (turned to match portrait), never up; even."""
    if height > width:
        max_width, max_height = min(max_width, max_height), max(max_width, max_height)
    scale = min(1.0, max_width / width, max_height / height)
    new_w = max(2, int(round(width * scale / 2)) * 2)
    new_h = max(2, int(round(height * scale / 2)) * 2)
    return new_w, new_h


def make_proxy(
    source: Path,
    target: Path,
    probe: dict[str, Any],
    *,
    label: str,
    threads: int = 1,
    options: ProxyOptions = ProxyOptions(),
    progress: Progress | None = None,
) -> dict[str, Any]:
    """A web proxy: MP4, H.264 (yuv420p) + AAC, ``+faststart``, within 1280x720.

    An audio-only asset gets an AAC-only MP4 that browsers play as well.
    """
    out, params = _proxy_output(
        ffmpeg.input(str(source), threads=threads), target, probe, label, threads, options
    )
    args = run_ffmpeg(
        out, label=label, what="web proxy", duration=probe.get("duration"), progress=progress
    )
    return {**params, "ffmpeg": _portable(args, source, target)}


def make_speech_and_proxy(
    source: Path,
    targets: tuple[Path, Path],
    probe: dict[str, Any],
    *,
    label: str,
    threads: int = 1,
    loudnorm: bool = False,
    options: ProxyOptions = ProxyOptions(),
    progress: Progress | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The speech audio and the web proxy (``targets``, in this order) in one ffmpeg run:
    the source is read and decoded once, and one ffmpeg starts instead of two (a 2-minute
    talk's WAV: 0.34 s against 0.41). Returns the parameters of each, as the two functions
    that make one of them do."""
    speech_target, proxy_target = targets
    source_input = ffmpeg.input(str(source), threads=threads)
    speech, speech_params = _speech_output(
        source_input, speech_target, probe, label, threads, loudnorm
    )
    proxy, proxy_params = _proxy_output(source_input, proxy_target, probe, label, threads, options)
    args = run_ffmpeg(
        ffmpeg.merge_outputs(speech, proxy),
        label=label,
        what="speech audio and web proxy",
        duration=probe.get("duration"),
        progress=progress,
    )
    return (
        {**speech_params, "ffmpeg": _portable(args, source, speech_target, proxy_target)},
        {**proxy_params, "ffmpeg": _portable(args, source, proxy_target, speech_target)},
    )


def _proxy_output(
    source_input: Any,
    target: Path,
    probe: dict[str, Any],
    label: str,
    threads: int,
    options: ProxyOptions,
) -> tuple[Any, dict[str, Any]]:
    """The web proxy's ffmpeg output and the parameters that make it."""
    video = video_stream(probe) if not probe.get("still") else None
    audio = audio_stream(probe)
    if video is None and audio is None:
        raise TranscodeError(f"{label} has neither video nor audio: no proxy can be made")
    streams = []
    params: dict[str, Any] = {"container": "mp4", "faststart": True}
    output_args: dict[str, Any] = {"movflags": "+faststart", "threads": threads}
    if video is not None:
        size = display_size(video) or (options.max_width, options.max_height)
        width, height = fit_within(*size, options.max_width, options.max_height)
        picture = source_input["v:0"]
        if (width, height) != size or pixel_aspect(video) != 1:
            # Scaling to the shown size also makes the pixels square.
            picture = picture.filter("scale", width, height)
        streams.append(picture)
        output_args.update(
            {
                "c:v": "libx264",
                "preset": options.preset,
                "crf": options.crf,
                "pix_fmt": "yuv420p",
                "profile:v": "high",
            }
        )
        params.update(
            video_codec="h264",
            width=width,
            height=height,
            crf=options.crf,
            preset=options.preset,
            pixel_format="yuv420p",
        )
    if audio is not None:
        streams.append(source_input["a:0"])
        sound, recorded = _proxy_sound(audio, options)
        output_args.update(sound)
        params.update(recorded)
    return ffmpeg.output(*streams, str(target), f="mp4", **output_args), params


#: AAC profiles every browser plays in an MP4 (ffprobe's names).
_BROWSER_AAC_PROFILES = ("LC", "HE-AAC", "HE-AACv2")


def _proxy_sound(
    audio: dict[str, Any], options: ProxyOptions
) -> tuple[dict[str, Any], dict[str, Any]]:
    """ffmpeg's output options for the proxy's sound, and what the rendition records."""
    if (
        audio.get("codec") == "aac"
        and audio.get("profile") in _BROWSER_AAC_PROFILES
        and (audio.get("channels") or 0) in (1, 2)
    ):
        # Sound in AAC already (a phone's or a video call's .m4a, most MP4 videos) that
        # browsers play is copied as it is: no second lossy encoding, and 0.03 s instead
        # of 0.3 s for 2 minutes.
        return {"c:a": "copy"}, {"audio_codec": "aac", "audio_copied": True}
    # The "fast" AAC coder: 2.5x less CPU than the default (twoloop) for the proxy's
    # speech at 128 kb/s (1.8 s against 0.7 s for 2 minutes), the proxy being ~10 % of
    # a short talk's ingest; the transcriber never reads it.
    sound: dict[str, Any] = {"c:a": "aac", "aac_coder": AAC_CODER, "b:a": options.audio_bitrate}
    if (audio.get("channels") or 2) > 2:
        sound["ac"] = 2
    recorded = {
        "audio_codec": "aac",
        "audio_coder": AAC_CODER,
        "audio_bitrate": options.audio_bitrate,
    }
    return sound, recorded


def frame_stats(
    source: Path, at: float, *, label: str, threads: int = 1
) -> tuple[float, float] | None:
    """Mean and spread of the luma of a small grey copy of the frame at ``at`` seconds."""
    width, height = 64, 36
    args = (
        ffmpeg.input(str(source), ss=f"{at:.3f}", threads=threads)["v:0"]
        .filter("scale", width, height)
        .output("pipe:", vframes=1, format="rawvideo", pix_fmt="gray", threads=threads)
        .global_args("-nostdin", "-hide_banner", "-loglevel", "error")
        .compile()
    )
    pixels = run_command(args, label=label, what="poster frame")
    if len(pixels) < width * height:
        return None
    values = list(pixels[: width * height])
    return statistics.fmean(values), statistics.pstdev(values)


def choose_poster_time(
    source: Path, probe: dict[str, Any], *, label: str, threads: int = 1
) -> float:
    """A moment that shows something: not black, not one flat colour.

    Talks often open with black or a fade; we look at a few moments from 10 % in and take
    the first with visible content (else the one with the most detail).
    """
    duration = probe.get("duration") or 0.0
    if duration <= 0:
        return 0.0
    candidates = [duration * f for f in (0.1, 0.25, 0.5, 0.75, 0.03)]
    best: tuple[float, float] = (-1.0, 0.0)
    for at in candidates:
        stats = frame_stats(source, at, label=label, threads=threads)
        if stats is None:
            continue
        mean, spread = stats
        if mean > 24 and spread > 8:
            return at
        if spread > best[0]:
            best = (spread, at)
    return best[1]


def make_poster(
    source: Path,
    target: Path,
    probe: dict[str, Any],
    *,
    label: str,
    threads: int = 1,
    max_width: int = 1280,
    max_height: int = 720,
    quality: int = 3,
) -> dict[str, Any]:
    """A JPEG of a frame with content, within ``max_width`` x ``max_height``."""
    video = video_stream(probe)
    if video is None:
        raise TranscodeError(f"{label} has no video stream: no poster frame can be made")
    at = choose_poster_time(source, probe, label=label, threads=threads)
    size = display_size(video) or (max_width, max_height)
    width, height = fit_within(*size, max_width, max_height)
    out = (
        ffmpeg.input(str(source), ss=f"{at:.3f}", threads=threads)["v:0"]
        .filter("scale", width, height)
        .output(
            str(target),
            vframes=1,
            **{"q:v": quality},
            f="image2",
            vcodec="mjpeg",
            pix_fmt="yuvj420p",
            threads=threads,
        )
    )
    args = run_ffmpeg(out, label=label, what="poster frame")
    return {
        "time": round(at, 3),
        "width": width,
        "height": height,
        "format": "jpeg",
        "quality": quality,
        "ffmpeg": _portable(args, source, target),
    }


def make_thumbnail(
    source: Path,
    target: Path,
    probe: dict[str, Any],
    *,
    label: str,
    threads: int = 1,
    max_size: int = 480,
    image_format: str = "jpeg",
    quality: int = 80,
) -> dict[str, Any]:
    """A small JPEG or WebP copy of an image (or a video's poster moment), within max_size."""
    video = video_stream(probe)
    if video is None:
        raise TranscodeError(f"{label} has no picture: no thumbnail can be made")
    size = display_size(video) or (max_size, max_size)
    width, height = fit_within(*size, max_size, max_size)
    picture = ffmpeg.input(str(source), threads=threads)["v:0"].filter("scale", width, height)
    if image_format == "webp":
        encode: dict[str, Any] = {"vcodec": "libwebp", "quality": quality, "f": "webp"}
    elif image_format == "jpeg":
        # Map 0-100 quality onto mjpeg's 2 (best) - 31 scale.
        encode = {
            "vcodec": "mjpeg",
            "q:v": max(2, round(31 - quality * 0.29)),
            "pix_fmt": "yuvj420p",
            "f": "image2",
        }
    else:
        raise ConfigError(f"thumbnail format {image_format!r} is not supported: jpeg or webp")
    out = picture.output(str(target), vframes=1, threads=threads, **encode)
    args = run_ffmpeg(out, label=label, what="thumbnail")
    return {
        "width": width,
        "height": height,
        "format": image_format,
        "quality": quality,
        "ffmpeg": _portable(args, source, target),
    }


def _portable(args: list[str], source: Path, target: Path, other: Path | None = None) -> list[str]:
    """The command line with the temporary paths replaced by INPUT and OUTPUT (and the
    other output of a run that makes two by OTHER_OUTPUT)."""
    names = {str(source): "INPUT", str(target): "OUTPUT"}
    if other is not None:
        names[str(other)] = "OTHER_OUTPUT"
    return [
        names.get(arg, arg)
        for arg in args
        if arg not in ("-progress", "pipe:1", "-nostats", "-nostdin")
    ]
