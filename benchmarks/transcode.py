"""Benchmark: speech audio and web proxy of a 20-minute talk, ours vs the plain ffmpeg CLI.

The talk is a 1080p still (25 fps) with German speech (espeak-ng, looped to 20 minutes),
generated once and cached under .cache/bench. Each pair runs side by side in the same run,
in alternating order, with the same thread budget:

- speech audio: ``extract_speech_audio`` vs ``ffmpeg -i IN -map 0:a:0 -ac 1 -ar 16000
  -c:a pcm_s16le OUT.wav`` (target: >= 100x real time on 2 cores; within 10 %);
- proxy: ``make_proxy`` vs the same ``ffmpeg ... -c:v libx264 -preset veryfast -crf 23
  -vf scale=1280:720 -c:a aac -b:a 128k -movflags +faststart`` line (target: within 10 %).

Usage: .venv/bin/python benchmarks/transcode.py [--minutes 20] [--repeats 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mediaarchive import synth  # noqa: E402
from mediaarchive.config import cpu_count  # noqa: E402
from mediaarchive.media.probe import probe_file  # noqa: E402
from mediaarchive.media.transcode import (  # noqa: E402
    ProxyOptions,
    extract_speech_audio,
    make_proxy,
)

CACHE = REPO / ".cache" / "bench"
SEED = Path("/work/shared/seed/000_8e33b6325b9cc12a.txt")
FALLBACK = [
    "Mit einem Impuls von Prof. Mark Hallerberg haben wir eine neue Themenreihe begonnen: "
    "Lebenszyklen von Innovationslaboren.",
    "Das StadtLABOR ist der Raum, in dem Fragen der digitalen Stadtentwicklung und neue "
    "Arbeitsformen der Verwaltung diskutiert werden.",
]


def paragraphs() -> list[str]:
    text = SEED.read_text(encoding="utf-8") if SEED.exists() else "\n\n".join(FALLBACK)
    found = [p.strip() for p in text.split("\n\n") if len(p.strip()) > 60 and "://" not in p]
    return found or FALLBACK


def talk_video(minutes: float) -> Path:
    """A ``minutes``-long 1080p talk: a still slide (25 fps) and German speech.

    One stretch of speech is encoded, then repeated by stream copy to the full length
    (encoding 20 minutes of 1080p on a busy 2-core machine would take most of an hour).
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    target = CACHE / f"talk-{minutes:g}min-1080p.mp4"
    if target.exists() and target.stat().st_size > 0:
        return target
    speech = synth.talk_audio(paragraphs(), voices=("de", "de+m3"), pause=1.5)
    slide = synth.text_image(
        ["Lebenszyklen von Innovationslaboren", "Labcamp 4", "StadtLABOR Soest"],
        size=(1920, 1080),
        font_size=64,
        title="Innovationslabore",
    )
    stretch = synth.media_duration(speech)
    segment = CACHE / f"talk-segment-{stretch:.0f}s-1080p.mp4"
    print(f"generating a {minutes:g}-minute 1080p talk (once)...", file=sys.stderr)
    if not segment.exists():
        tmp = segment.with_suffix(".tmp.mp4")
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-loop",
                "1",
                "-framerate",
                "25",
                "-i",
                str(slide),
                "-i",
                str(speech),
                "-t",
                f"{stretch:.3f}",
                "-map",
                "0:v",
                "-map",
                "1:a",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "stillimage",
                "-g",
                "250",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-b:a",
                "96k",
                "-ar",
                "44100",
                str(tmp),
            ],
            check=True,
        )
        tmp.replace(segment)
    repeats = int(minutes * 60 // stretch) + 1
    listing = CACHE / "talk-segments.txt"
    listing.write_text("".join(f"file '{segment}'\n" for _ in range(repeats)))
    tmp = target.with_suffix(".tmp.mp4")
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(listing),
            "-t",
            f"{minutes * 60}",
            "-c",
            "copy",
            str(tmp),
        ],
        check=True,
    )
    listing.unlink()
    tmp.replace(target)
    return target


def plain_speech(source: Path, target: Path, threads: int) -> list[str]:
    return [
        "ffmpeg",
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-threads",
        str(threads),
        "-i",
        str(source),
        "-map",
        "0:a:0",
        "-ac",
        "1",
        "-ar",
        "16000",
        "-c:a",
        "pcm_s16le",
        "-f",
        "wav",
        "-threads",
        str(threads),
        str(target),
    ]


def plain_proxy(source: Path, target: Path, threads: int, size: tuple[int, int]) -> list[str]:
    return [
        "ffmpeg",
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-threads",
        str(threads),
        "-i",
        str(source),
        "-map",
        "0:v:0",
        "-map",
        "0:a:0",
        "-vf",
        f"scale={size[0]}:{size[1]}",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-pix_fmt",
        "yuv420p",
        "-profile:v",
        "high",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "-threads",
        str(threads),
        str(target),
    ]


def timed(func) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=3, help="speech-audio pairs")
    parser.add_argument("--proxy-repeats", type=int, default=1, help="proxy pairs")
    parser.add_argument("--threads", type=int, default=min(2, cpu_count()))
    args = parser.parse_args()

    source = talk_video(args.minutes)
    probe = probe_file(source)
    duration = probe["duration"]
    threads = args.threads
    rows: list[tuple[str, int, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-transcode-") as folder:
        work = Path(folder)
        ours_wav, plain_wav = work / "ours.wav", work / "plain.wav"
        for i in range(args.repeats):
            pair = [
                (
                    "ours",
                    lambda: extract_speech_audio(
                        source, ours_wav, probe, label="bench", threads=threads
                    ),
                ),
                (
                    "plain",
                    lambda: subprocess.run(plain_speech(source, plain_wav, threads), check=True),
                ),
            ]
            if i % 2:
                pair.reverse()
            times = dict((name, timed(run)) for name, run in pair)
            rows.append(("speech audio", i + 1, times["ours"], times["plain"]))
            print(
                f"speech audio pair {i + 1}: ours {times['ours']:.2f} s, plain "
                f"{times['plain']:.2f} s",
                file=sys.stderr,
                flush=True,
            )
        if args.repeats:
            assert probe_file(ours_wav)["streams"][0]["sample_rate"] == 16000
        ours_mp4, plain_mp4 = work / "ours.mp4", work / "plain.mp4"
        for i in range(args.proxy_repeats):
            pair = [
                (
                    "ours",
                    lambda: make_proxy(
                        source,
                        ours_mp4,
                        probe,
                        label="bench",
                        threads=threads,
                        options=ProxyOptions(),
                    ),
                ),
                (
                    "plain",
                    lambda: subprocess.run(
                        plain_proxy(source, plain_mp4, threads, (1280, 720)), check=True
                    ),
                ),
            ]
            if i % 2:
                pair.reverse()
            times = dict((name, timed(run)) for name, run in pair)
            rows.append(("proxy 720p", i + 1, times["ours"], times["plain"]))
            print(
                f"proxy pair {i + 1}: ours {times['ours']:.2f} s, plain {times['plain']:.2f} s",
                file=sys.stderr,
                flush=True,
            )
        sizes = [p.stat().st_size if p.exists() else 0 for p in (ours_mp4, plain_mp4)]

    print(
        f"\n{args.minutes:g}-minute 1080p talk ({duration:.0f} s), {threads} thread(s), "
        f"{cpu_count()} core(s)\n"
    )
    print(f"{'task':<14}{'run':>4}{'ours s':>9}{'plain s':>9}{'ours/plain':>12}{'x real time':>13}")
    for task, run, ours, plain in rows:
        print(
            f"{task:<14}{run:>4}{ours:>9.2f}{plain:>9.2f}{ours / plain:>12.3f}"
            f"{duration / ours:>13.1f}"
        )
    for task in ("speech audio", "proxy 720p"):
        ratios = [o / p for t, _, o, p in rows if t == task]
        if not ratios:
            continue
        ours_all = [o for t, _, o, _ in rows if t == task]
        print(
            f"{task}: median ours/plain {statistics.median(ratios):.3f}, worst "
            f"{max(ratios):.3f}; median {duration / statistics.median(ours_all):.0f}x "
            "real time"
        )
    if all(sizes):
        print(f"proxy sizes: ours {sizes[0] / 1e6:.1f} MB, plain {sizes[1] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
