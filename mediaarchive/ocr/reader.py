"""Reading the text of images: pre-processing, Tesseract, noise filtering, word boxes.

``read_images`` OCRs a batch in one Tesseract call, then scales up the images whose text came
out small and reads those again (a second, smaller batch). Word boxes are given in the
original image's pixels whatever scale Tesseract saw.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mediaarchive.ocr.preprocess import Preprocessing, load_image, prepare, upscale_factor
from mediaarchive.ocr.tesseract import RawWord, run_tesseract

DEFAULT_LANGUAGES = "deu+eng"
#: Words Tesseract is less sure of than this (0–1) are dropped as noise.
DEFAULT_MIN_CONFIDENCE = 0.5
#: A word without a letter or digit ("|", "—", "~") must be at least this sure to stay.
SYMBOL_MIN_CONFIDENCE = 0.85
#: A line is kept only with one word of 3+ letters or digits at least this sure.
REAL_WORD_MIN_CONFIDENCE = 0.7


@dataclass(frozen=True)
class OcrWord:
    """A recognised word with its box (pixels of the original image) and confidence 0–1."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "left": self.left,
            "top": self.top,
            "width": self.width,
            "height": self.height,
            "confidence": self.confidence,
        }


@dataclass
class OcrPage:
    """The text read from one image."""

    #: Lines joined by newlines, blocks separated by an empty line; "" when nothing was read.
    text: str
    #: Mean confidence (0–1) of the kept words, weighted by their length; None without words.
    confidence: float | None
    words: list[OcrWord]
    #: Size of the original image.
    width: int
    height: int
    #: Factor the image was scaled by for Tesseract.
    scale: float
    #: Words dropped as low-confidence noise.
    dropped: int = 0
    seconds: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)


def read_image(path: Path, **options: Any) -> OcrPage:
    """The text of one image; see ``read_images`` for the options."""
    return read_images([path], **options)[0]


def read_images(
    paths: Sequence[Path],
    *,
    languages: str = DEFAULT_LANGUAGES,
    threads: int = 1,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    preprocessing: Preprocessing | None = None,
    psm: int = 3,
) -> list[OcrPage]:
    """OCR images with Tesseract; one ``OcrPage`` per path, in order.

    Args:
        paths: image files (anything Pillow reads).
        languages: Tesseract languages, e.g. ``"deu+eng"`` (German and English slides).
        threads: CPU threads to use: that many single-threaded Tesseract processes on
            separate images at most.
        min_confidence: words below this confidence (0–1) are dropped as noise, and so are
            lines without one sure word of three letters or more; 0 keeps everything.
        preprocessing: how images are prepared (default: ``Preprocessing()``).
        psm: Tesseract page segmentation mode.

    Raises:
        OcrError: an image cannot be read or Tesseract fails.
        ConfigError: Tesseract or a language model is not installed.
    """
    options = preprocessing or Preprocessing()
    started = time.monotonic()
    images = [load_image(Path(p)) for p in paths]
    scales = [
        upscale_factor(image.size, [], options) if options.fixed_scale else 1.0 for image in images
    ]
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        words = _ocr_batch(images, scales, options, Path(tmp), languages, threads, psm)
        if options.upscale and options.fixed_scale is None:
            again = []
            for index, image in enumerate(images):
                factor = upscale_factor(image.size, _text_heights(words[index]), options)
                if factor > 1.0:
                    again.append(index)
                    scales[index] = factor
            if again:
                retried = _ocr_batch(
                    [images[i] for i in again],
                    [scales[i] for i in again],
                    options,
                    Path(tmp),
                    languages,
                    threads,
                    psm,
                )
                for index, new_words in zip(again, retried, strict=True):
                    if _quality(new_words) >= _quality(words[index]):
                        words[index] = new_words
                    else:
                        scales[index] = 1.0
    seconds = (time.monotonic() - started) / max(1, len(images))
    params = {
        "engine": "tesseract",
        "languages": languages,
        "psm": psm,
        "min_confidence": min_confidence,
        "preprocessing": options.to_json(),
    }
    return [
        _page(image.size, page_words, scale, min_confidence, seconds, params)
        for image, page_words, scale in zip(images, words, scales, strict=True)
    ]


def _ocr_batch(
    images: list,
    scales: list[float],
    options: Preprocessing,  # type: ignore[type-arg]
    tmp: Path,
    languages: str,
    threads: int,
    psm: int,
) -> list[list[RawWord]]:
    """OCR prepared copies of the images: up to ``threads`` Tesseract processes side by side,
    each single-threaded.

    Tesseract's own OpenMP threads were slower, not faster: on a busy 2-core machine one
    image took 6.5 s with OMP_THREAD_LIMIT=2 against 0.9 s with 1 (busy-waiting threads);
    separate processes on separate images scale instead (``benchmarks/ocr.py``).
    """
    files = []
    for index, (image, scale) in enumerate(zip(images, scales, strict=True)):
        target = tmp / f"page-{index:04d}-{scale:.2f}.png"
        prepare(image, options, scale).save(target, compress_level=1)
        files.append(target)
    workers = max(1, min(threads, len(files)))
    if workers == 1:
        return run_tesseract(files, languages=languages, threads=1, psm=psm)
    chunks = [files[i::workers] for i in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(
            pool.map(
                lambda chunk: run_tesseract(chunk, languages=languages, threads=1, psm=psm), chunks
            )
        )
    words: list[list[RawWord]] = [[] for _ in files]
    for worker, chunk_words in enumerate(results):
        for offset, page_words in enumerate(chunk_words):
            words[worker + offset * workers] = page_words
    return words


def _is_wordlike(text: str) -> bool:
    return any(char.isalnum() for char in text)


def _text_heights(words: list[RawWord]) -> list[int]:
    """Box heights of the words Tesseract is fairly sure of (to judge the text size); of
    any word-like scraps when it is sure of none (text too small to read well)."""
    wordlike = [w for w in words if _is_wordlike(w.text) and len(w.text) >= 2]
    sure = [w.height for w in wordlike if w.confidence >= 60]
    return sure or [w.height for w in wordlike if w.confidence >= 20]


def _quality(words: list[RawWord]) -> float:
    return sum(
        w.confidence * len(w.text) for w in words if w.confidence >= 50 and _is_wordlike(w.text)
    )


def _keep(word: RawWord, min_confidence: float) -> bool:
    confidence = word.confidence / 100
    if confidence < min_confidence:
        return False
    alnum = sum(char.isalnum() for char in word.text)
    if alnum * 2 >= len(word.text):
        return True
    # Mostly symbols ("|", "—", "“os,"): kept only when Tesseract is very sure.
    return confidence >= SYMBOL_MIN_CONFIDENCE


def _has_real_word(line: list[RawWord]) -> bool:
    return any(
        sum(char.isalnum() for char in w.text) >= 3
        and w.confidence >= REAL_WORD_MIN_CONFIDENCE * 100
        for w in line
    )


def _filter_noise(raw: list[RawWord], min_confidence: float) -> list[RawWord]:
    """The words worth keeping: sure enough, on a line with at least one sure, real word.

    Lines made only of one- and two-character scraps ("N", "7,", "\\") are what Tesseract
    reads into scribbles, icons and textures; real text lines have a longer word.
    """
    if min_confidence <= 0:
        return list(raw)  # everything Tesseract said (benchmarks, debugging)
    lines: dict[tuple[int, int, int, int], list[RawWord]] = {}
    for word in raw:
        if _keep(word, min_confidence):
            lines.setdefault((word.page, *word.line_key), []).append(word)
    keep = {key for key, line in lines.items() if _has_real_word(line)}
    return [w for w in raw if (w.page, *w.line_key) in keep and _keep(w, min_confidence)]


def _page(
    size: tuple[int, int],
    raw: list[RawWord],
    scale: float,
    min_confidence: float,
    seconds: float,
    params: dict[str, Any],
) -> OcrPage:
    kept = _filter_noise(raw, min_confidence)
    words = [
        OcrWord(
            text=w.text,
            left=round(w.left / scale),
            top=round(w.top / scale),
            width=max(1, round(w.width / scale)),
            height=max(1, round(w.height / scale)),
            confidence=round(w.confidence / 100, 3),
        )
        for w in kept
    ]
    blocks: list[list[str]] = []
    last_block: int | None = None
    last_line: tuple[int, int, int] | None = None
    for w in kept:
        if w.block != last_block:
            blocks.append([])
            last_block, last_line = w.block, None
        if w.line_key != last_line:
            blocks[-1].append(w.text)
            last_line = w.line_key
        else:
            blocks[-1][-1] += " " + w.text
    text = "\n\n".join("\n".join(lines) for lines in blocks)
    weight = sum(len(w.text) for w in words)
    confidence = (
        round(sum(w.confidence * len(w.text) for w in words) / weight, 3) if weight else None
    )
    return OcrPage(
        text=text,
        confidence=confidence,
        words=words,
        width=size[0],
        height=size[1],
        scale=round(scale, 3),
        dropped=len(raw) - len(kept),
        seconds=seconds,
        params=params,
    )
