"""OCR benchmark: character error rate and time per image on generated German screenshots at
several sizes, with and without pre-processing; slide detection time per minute of video.

Run: ``.venv/bin/python benchmarks/ocr.py [--quick]``. Every variant runs side by side in
the same run (the machine is shared: compare ratios, not absolute seconds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("MEDIAARCHIVE_SYNTH_CACHE", str(REPO / ".cache" / "synth"))

from mediaarchive.ocr import RAW, Preprocessing, read_images  # noqa: E402
from mediaarchive.ocr.slides import detect_slides, scene_filter_changes  # noqa: E402
from mediaarchive.synth import media_duration, slide_video, text_image  # noqa: E402

SCREENS = [
    (
        "Stadtlabor Köln",
        [
            "Ergebnisse der Werkstatt vom 13. Juli 2021",
            "Bürgerbeteiligung und Straßenplanung im Quartier",
            "Nächste Schritte: Prototypen testen, Förderung beantragen",
            "Größere Fläche für das Innovationslabor gesucht",
        ],
    ),
    (
        "Anmeldung Labcamp",
        [
            "Bitte tragt euch bis Freitag in die Liste ein",
            "Workshops: Datenschutz, Open Data, Mobilität",
            "Übernachtung in der Jugendherberge möglich",
            "Rückfragen an die Geschäftsstelle der Universität",
        ],
    ),
    (
        "Protokoll",
        [
            "Teilnehmende: 23 Personen aus Verwaltung und Zivilgesellschaft",
            "Beschluss: Prototyp für Sensorboxen bis März",
            "Offene Fragen zur Finanzierung durch das Förderprogramm",
            "Nächstes Treffen im Bürgerhaus, Raum 2.14",
        ],
    ),
]

#: (name, image size, font size, background, text colour)
LAYOUTS = [
    ("light 1920x1080 16px", (1920, 1080), 16, "white", "black"),
    ("dark 1440x900 18px", (1440, 900), 18, "#1e1e1e", "#d4d4d4"),
    ("blue 1280x720 24px", (1280, 720), 24, "#dde8f5", "#334455"),
]
SCALES = [1.0, 0.5, 0.4, 0.33]

VARIANTS = {
    "as is": RAW,
    "gray": Preprocessing(invert_dark=False, upscale=False, flatten=False),
    "gray+invert": Preprocessing(upscale=False, flatten=False),
    "upscale x2": Preprocessing(fixed_scale=2.0, flatten=False),
    "otsu": Preprocessing(threshold=True),
    "default": Preprocessing(),
}


def cer(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.cer(" ".join(reference.split()), " ".join(hypothesis.split())))


def board_photo(source: Path, target: Path) -> Path:
    """A phone photo of a printed page: grey, lit from one side, noisy, blurred, JPEG."""
    import numpy as np
    from PIL import Image, ImageFilter

    gray = np.asarray(Image.open(source).convert("L"), dtype=np.float32) * 0.5 + 100
    gray += np.linspace(-30, 30, gray.shape[1])[None, :]
    gray += np.random.default_rng(3).normal(0, 12, gray.shape)
    Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(0.8)
    ).save(target, quality=25)
    return target


def screenshot_sets(tmp: Path, quick: bool) -> list[tuple[str, list[tuple[Path, str]]]]:
    from PIL import Image

    sets = []
    screens = SCREENS[:1] if quick else SCREENS
    for name, size, font, background, color in LAYOUTS:
        originals = [
            (
                text_image(
                    lines,
                    size=size,
                    font_size=font,
                    background=background,
                    color=color,
                    title=title,
                ),
                "\n".join([title, *lines]),
            )
            for title, lines in screens
        ]
        for scale in SCALES:
            images = []
            for index, (path, truth) in enumerate(originals):
                if scale == 1.0:
                    images.append((path, truth))
                    continue
                with Image.open(path) as image:
                    small = image.resize(
                        (round(image.width * scale), round(image.height * scale)),
                        Image.Resampling.LANCZOS,
                    )
                target = tmp / f"{name.split()[0]}-{scale}-{index}.png"
                small.save(target)
                images.append((target, truth))
            text_px = font * scale
            sets.append((f"{name} at {scale:.0%} (~{text_px:.0f}px text)", images))
    photos = [
        (board_photo(path, tmp / f"photo-{i}.jpg"), truth)
        for i, (path, truth) in enumerate(
            (
                text_image(lines, size=(1280, 720), font_size=26, title=title),
                "\n".join([title, *lines]),
            )
            for title, lines in screens
        )
    ]
    sets.append(("board photo 1280x720 (uneven light, noise, JPEG q25)", photos))
    return sets


def bench_images(quick: bool) -> None:
    print("\n## OCR of German screenshots: CER (mean) / seconds per image\n")
    header = "| image set | " + " | ".join(VARIANTS) + " |"
    print(header)
    print("|" + "---|" * (len(VARIANTS) + 1))
    totals: dict[str, list[float]] = {name: [] for name in VARIANTS}
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        for label, images in screenshot_sets(Path(tmp), quick):
            cells = []
            for variant, options in VARIANTS.items():
                errors, seconds = [], []
                for path, truth in images:
                    started = time.perf_counter()
                    page = read_images([path], preprocessing=options)[0]
                    seconds.append(time.perf_counter() - started)
                    errors.append(cer(truth, page.text))
                totals[variant] += errors
                times[variant] += seconds
                cells.append(f"{statistics.mean(errors):.1%} / {statistics.mean(seconds):.2f}s")
            print(f"| {label} | " + " | ".join(cells) + " |", flush=True)
    print(
        "| **all** | "
        + " | ".join(
            f"**{statistics.mean(totals[v]):.1%} / {statistics.mean(times[v]):.2f}s**"
            for v in VARIANTS
        )
        + " |"
    )


def bench_batch() -> None:
    """Several images in one Tesseract call (slides) against one call per image."""
    images = [
        text_image(lines, size=(1280, 720), font_size=40, title=title) for title, lines in SCREENS
    ]
    images = images * 3
    started = time.perf_counter()
    for image in images:
        read_images([image])
    single = (time.perf_counter() - started) / len(images)
    started = time.perf_counter()
    read_images(images)
    batch = (time.perf_counter() - started) / len(images)
    print("\n## Tesseract calls: 9 slide images of 1280x720\n")
    print("| one call per image | one call for all |\n|---|---|")
    print(f"| {single:.2f} s/image | {batch:.2f} s/image |")


def bench_slides(quick: bool) -> None:
    slides_count = 6 if quick else 12
    seconds = 10.0
    slides = [
        (f"Folie {i + 1}: {SCREENS[i % 3][0]}", SCREENS[i % 3][1][: 2 + i % 3], seconds)
        for i in range(slides_count)
    ]
    print("\n## Slide detection: seconds per minute of video\n")
    print("| video | method | changes found / true | max start error | s per video minute |")
    print("|---|---|---|---|---|")
    for size in [(1280, 720), (1920, 1080)]:
        video = slide_video(slides, size=size, font_size=size[1] // 20)
        minutes = media_duration(video) / 60
        truth = [i * seconds for i in range(slides_count)]
        label = f"{slides_count} slides, {minutes * 60:.0f} s, {size[0]}x{size[1]}"
        started = time.perf_counter()
        spans = detect_slides(video)
        elapsed = time.perf_counter() - started
        error = max(abs(s.start - t) for s, t in zip(spans, truth, strict=False))
        print(
            f"| {label} | frame differences (4 fps, 320 px) | {len(spans)} / "
            f"{slides_count} | {error:.2f} s | {elapsed / minutes:.2f} |",
            flush=True,
        )
        for threshold in (0.3, 0.05):
            started = time.perf_counter()
            changes = scene_filter_changes(video, threshold)
            elapsed = time.perf_counter() - started
            print(
                f"| {label} | ffmpeg scene filter > {threshold} | {len(changes)} / "
                f"{slides_count} | - | {elapsed / minutes:.2f} |",
                flush=True,
            )
        started = time.perf_counter()
        spans, ocr_seconds = _slides_with_ocr(video)
        total = time.perf_counter() - started
        print(
            f"| {label} | whole step work (detect, frames, OCR) | {len(spans)} / "
            f"{slides_count} | - | {total / minutes:.2f} (OCR {ocr_seconds / minutes:.2f})"
            " |",
            flush=True,
        )


def _slides_with_ocr(video: Path) -> tuple[list, float]:  # type: ignore[type-arg]
    from mediaarchive.ocr.slides import extract_frame

    spans = detect_slides(video)
    with tempfile.TemporaryDirectory() as tmp:
        frames = [
            extract_frame(video, s.frame_time, Path(tmp) / f"{i}.png") for i, s in enumerate(spans)
        ]
        started = time.perf_counter()
        read_images(frames)
        return spans, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer images and slides")
    args = parser.parse_args()
    print(f"# OCR benchmark (tesseract deu+eng, {os.cpu_count()} cores, 1 thread per call)")
    bench_images(args.quick)
    bench_batch()
    bench_slides(args.quick)


if __name__ == "__main__":
    main()
