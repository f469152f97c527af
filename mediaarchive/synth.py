"""Generated media with known German content: for the demo, the tests and the benchmarks.

Speech comes from espeak-ng's German voices, video from ffmpeg (a still image with the
speech), screenshots from Pillow with a real font. Everything is cached by its inputs, so
repeated test runs do not regenerate it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mediaarchive.errors import ConfigError

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"


def cache_dir() -> Path:
    """Where generated media is cached (``MEDIAARCHIVE_SYNTH_CACHE``, else the user cache)."""
    env = os.environ.get("MEDIAARCHIVE_SYNTH_CACHE")
    if env:
        path = Path(env).resolve()
    else:
        import platformdirs

        path = Path(platformdirs.user_cache_dir("mediaarchive")) / "synth"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cached(kind: str, suffix: str, **inputs: object) -> tuple[Path, bool]:
    key = hashlib.sha256(json.dumps([kind, inputs], sort_keys=True, default=str).encode())
    path = cache_dir() / f"{kind}-{key.hexdigest()[:20]}{suffix}"
    return path, path.exists() and path.stat().st_size > 0


def _require(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        raise ConfigError(f"{tool} is not installed: run 'make setup' to install it")
    return found


def _run(cmd: Sequence[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {result.stderr.strip()[-500:]}")


def _publish(tmp: Path, target: Path) -> Path:
    os.replace(tmp, target)
    return target


def speech_wav(text: str, voice: str = "de", speed: int = 150, pitch: int = 50) -> Path:
    """German speech for ``text`` as a 22 kHz mono WAV (espeak-ng)."""
    path, hit = _cached("speech", ".wav", text=text, voice=voice, speed=speed, pitch=pitch)
    if hit:
        return path
    espeak = _require("espeak-ng")
    tmp = path.with_suffix(".tmp.wav")
    _run([espeak, "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(tmp), text])
    return _publish(tmp, path)


def silence_wav(seconds: float, rate: int = 22050) -> Path:
    """Digital silence of the given length."""
    path, hit = _cached("silence", ".wav", seconds=seconds, rate=rate)
    if hit:
        return path
    tmp = path.with_suffix(".tmp.wav")
    _run(
        [
            _require("ffmpeg"),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"anullsrc=r={rate}:cl=mono",
            "-t",
            str(seconds),
            "-c:a",
            "pcm_s16le",
            str(tmp),
        ]
    )
    return _publish(tmp, path)


def talk_audio(
    paragraphs: Sequence[str], voices: Sequence[str] = ("de",), pause: float = 1.0, speed: int = 150
) -> Path:
    """Several paragraphs spoken one after another (voices in turn), with pauses, as WAV."""
    path, hit = _cached(
        "talk", ".wav", paragraphs=list(paragraphs), voices=list(voices), pause=pause, speed=speed
    )
    if hit:
        return path
    parts: list[Path] = []
    gap = silence_wav(pause) if pause > 0 else None
    for i, paragraph in enumerate(paragraphs):
        parts.append(speech_wav(paragraph, voices[i % len(voices)], speed))
        if gap is not None and i < len(paragraphs) - 1:
            parts.append(gap)
    tmp = path.with_suffix(".tmp.wav")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        for part in parts:
            listing.write(f"file '{part}'\n")
    try:
        _run(
            [
                _require("ffmpeg"),
                "-v",
                "error",
                "-y",
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                listing.name,
                "-ar",
                "22050",
                "-ac",
                "1",
                "-c:a",
                "pcm_s16le",
                str(tmp),
            ]
        )
    finally:
        os.unlink(listing.name)
    return _publish(tmp, path)


def text_image(
    lines: Sequence[str],
    size: tuple[int, int] = (1280, 720),
    font_size: int = 40,
    background: str = "white",
    color: str = "black",
    fmt: str = "PNG",
    title: str | None = None,
) -> Path:
    """An image showing German text, like a screenshot or a slide."""
    from PIL import Image, ImageDraw, ImageFont

    suffix = ".png" if fmt.upper() == "PNG" else ".jpg"
    path, hit = _cached(
        "image",
        suffix,
        lines=list(lines),
        size=size,
        font_size=font_size,
        background=background,
        color=color,
        fmt=fmt,
        title=title,
    )
    if hit:
        return path
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    y = font_size
    if title:
        bold = ImageFont.truetype(str(FONT_BOLD), int(font_size * 1.3))
        draw.text((font_size, y), title, font=bold, fill=color)
        y += int(font_size * 2.2)
    font = ImageFont.truetype(str(FONT), font_size)
    for line in lines:
        draw.text((font_size, y), line, font=font, fill=color)
        y += int(font_size * 1.5)
    tmp = path.with_suffix(".tmp" + suffix)
    image.save(tmp, fmt.upper() if fmt.upper() != "JPG" else "JPEG")
    return _publish(tmp, path)


def talk_video(
    paragraphs: Sequence[str],
    *,
    voices: Sequence[str] = ("de",),
    pause: float = 1.0,
    image_lines: Sequence[str] = ("Vortrag",),
    size: tuple[int, int] = (1280, 720),
    container: str = "mp4",
    lead_in: float = 0.0,
) -> Path:
    """A talk: a still image with the paragraphs spoken (H.264/AAC MP4 or MKV).

    ``lead_in`` seconds of black frames and silence come first (for poster-frame tests).
    """
    path, hit = _cached(
        "video",
        f".{container}",
        paragraphs=list(paragraphs),
        voices=list(voices),
        pause=pause,
        image_lines=list(image_lines),
        size=size,
        lead_in=lead_in,
    )
    if hit:
        return path
    audio = talk_audio(paragraphs, voices, pause)
    image = text_image(image_lines, size=size)
    tmp = path.with_suffix(f".tmp.{container}")
    ffmpeg = _require("ffmpeg")
    cmd = [
        ffmpeg,
        "-v",
        "error",
        "-y",
        "-loop",
        "1",
        "-framerate",
        "5",
        "-i",
        str(image),
        "-i",
        str(audio),
    ]
    if lead_in > 0:
        cmd += [
            "-filter_complex",
            f"[0:v]fade=in:st={lead_in}:d=0.2,format=yuv420p[v];"
            f"[1:a]adelay={int(lead_in * 1000)}:all=1[a]",
            "-map",
            "[v]",
            "-map",
            "[a]",
        ]
    else:
        cmd += ["-pix_fmt", "yuv420p"]
    # -shortest is unreliable with a looped image and a filter graph: give the length.
    seconds = media_duration(audio) + lead_in
    cmd += [
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-tune",
        "stillimage",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-t",
        f"{seconds:.3f}",
        str(tmp),
    ]
    _run(cmd)
    return _publish(tmp, path)


def media_duration(path: Path) -> float:
    """Duration in seconds, from ffprobe."""
    result = subprocess.run(
        [
            _require("ffprobe"),
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "default=nw=1:nk=1",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip())


def silent_video(seconds: float = 5.0, size: tuple[int, int] = (640, 360)) -> Path:
    """A video with no audio stream."""
    path, hit = _cached("silentvideo", ".mp4", seconds=seconds, size=size)
    if hit:
        return path
    tmp = path.with_suffix(".tmp.mp4")
    w, h = size
    _run(
        [
            _require("ffmpeg"),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size={w}x{h}:rate=10",
            "-t",
            str(seconds),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(tmp),
        ]
    )
    return _publish(tmp, path)


def pattern_video(
    seconds: float = 30.0, size: tuple[int, int] = (1280, 720), rate: int = 25, tone: bool = True
) -> Path:
    """A moving test pattern (with a tone unless ``tone`` is False): slow to transcode."""
    path, hit = _cached("pattern", ".mp4", seconds=seconds, size=size, rate=rate, tone=tone)
    if hit:
        return path
    tmp = path.with_suffix(".tmp.mp4")
    w, h = size
    cmd = [
        _require("ffmpeg"),
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={w}x{h}:rate={rate}",
    ]
    if tone:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
    cmd += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if tone:
        cmd += ["-c:a", "aac", "-b:a", "64k"]
    _run([*cmd, str(tmp)])
    return _publish(tmp, path)


def encode_audio(source: Path, fmt: str) -> Path:
    """Re-encode a WAV as mp3, ogg, flac or m4a."""
    path, hit = _cached("audio", f".{fmt}", source=str(source), mtime=source.stat().st_size)
    if hit:
        return path
    tmp = path.with_suffix(f".tmp.{fmt}")
    _run([_require("ffmpeg"), "-v", "error", "-y", "-i", str(source), str(tmp)])
    return _publish(tmp, path)


def slide_video(
    slides: Sequence[tuple[str, Sequence[str], float]],
    *,
    size: tuple[int, int] = (1280, 720),
    font_size: int = 40,
    background: str = "white",
    color: str = "black",
    fps: int = 25,
) -> Path:
    """A keynote-like video: slides of known text, each (title, lines, seconds) on screen.

    Built from ``text_image`` stills with ffmpeg's concat demuxer, H.264 with a silent AAC
    track, so slide change times are exactly the running sums of the durations.
    """
    path, hit = _cached(
        "slides",
        ".mp4",
        slides=[list(s) for s in slides],
        size=size,
        font_size=font_size,
        background=background,
        color=color,
        fps=fps,
    )
    if hit:
        return path
    images = [
        text_image(
            lines, size=size, font_size=font_size, background=background, color=color, title=title
        )
        for title, lines, _ in slides
    ]
    total = sum(seconds for _, _, seconds in slides)
    tmp = path.with_suffix(".tmp.mp4")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        for image, (_, _, seconds) in zip(images, slides, strict=True):
            listing.write(f"file '{image.resolve()}'\nduration {seconds}\n")
        # The concat demuxer ignores the last entry's duration unless the file follows again.
        listing.write(f"file '{images[-1].resolve()}'\n")
    try:
        _run(
            [
                _require("ffmpeg"),
                "-v",
                "error",
                "-y",
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                listing.name,
                "-f",
                "lavfi",
                "-i",
                "anullsrc=r=16000:cl=mono",
                "-vf",
                f"fps={fps},format=yuv420p",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "stillimage",
                "-c:a",
                "aac",
                "-b:a",
                "32k",
                "-t",
                f"{total:.3f}",
                str(tmp),
            ]
        )
    finally:
        os.unlink(listing.name)
    return _publish(tmp, path)
