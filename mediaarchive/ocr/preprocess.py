"""Image pre-processing before Tesseract, kept to what measurably helps.

Measured on generated German screenshots (``benchmarks/ocr.py``): scaling small text up is the
one big win (text of ~8 px goes from ~25 % character errors to ~0 %); grayscale and turning
dark themes light change no characters but save Tesseract its own inverted second pass
(~25 % less time on dark images); Otsu thresholding made results slightly *worse* (Tesseract
binarises internally and better), so it is off by default and only kept for the benchmark.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mediaarchive.errors import OcrError

#: Never make an image larger than this many pixels by upscaling (Tesseract time and memory).
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Preprocessing:
    """How images are prepared for Tesseract."""

    #: Convert to 8-bit grayscale.
    grayscale: bool = True
    #: Invert images that are mostly dark (dark themes, slides with light text).
    invert_dark: bool = True
    #: Scale up when the text Tesseract found is small (adaptive, a second pass).
    upscale: bool = True
    #: Median word-box height (px) under which the image is scaled up.
    min_text_height: int = 11
    #: Word-box height (px) that upscaling aims at.
    target_text_height: int = 24
    #: Largest upscaling factor.
    max_scale: float = 4.0
    #: Always scale by this factor instead of adapting (benchmark baseline); None adapts.
    fixed_scale: float | None = None
    #: Even out the background (uneven lighting in photos of boards and screens).
    flatten: bool = True
    #: Otsu thresholding to black and white (measured worse: off).
    threshold: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


#: No pre-processing at all: the image as Tesseract would read it.
RAW = Preprocessing(grayscale=False, invert_dark=False, upscale=False, flatten=False)


def load_image(path: Path):  # type: ignore[no-untyped-def]
    """The image at ``path`` as RGB, turned upright by its EXIF orientation (phone photos).

    Raises:
        OcrError: Pillow cannot read it.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            opened.seek(0)  # first frame of an animated GIF/WebP
            image = ImageOps.exif_transpose(opened)
            if image.mode in ("RGBA", "LA", "P"):
                rgba = image.convert("RGBA")
                # Transparent screenshots: put them on white, as a viewer shows them.
                background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                image = Image.alpha_composite(background, rgba)
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise OcrError(f"cannot read the image {path}: {exc}") from exc


def prepare(image, options: Preprocessing, scale: float = 1.0):  # type: ignore[no-untyped-def]
    """The image Tesseract gets: scaled by ``scale`` and converted as ``options`` say."""
    from PIL import Image, ImageOps

    if scale != 1.0:
        width, height = image.size
        image = image.resize(
            (max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.LANCZOS
        )
    if options.grayscale or options.invert_dark or options.flatten or options.threshold:
        image = image.convert("L")
        if options.invert_dark and _is_dark(image):
            image = ImageOps.invert(image)
        if options.flatten:
            image = flatten_background(image)
        if options.threshold:
            image = _otsu(image)
    return image


def upscale_factor(
    image_size: tuple[int, int], text_heights: list[int], options: Preprocessing
) -> float:
    """How much to scale the image up so its text is comfortably large; 1.0: leave it."""
    width, height = image_size
    limit = (MAX_PIXELS / max(1, width * height)) ** 0.5
    if options.fixed_scale is not None:
        return max(0.1, min(options.fixed_scale, limit))
    if not options.upscale:
        return 1.0
    if text_heights:
        median = sorted(text_heights)[len(text_heights) // 2]
        if median >= options.min_text_height:
            return 1.0
        factor = options.target_text_height / max(1, median)
    elif max(width, height) < 800:
        # Nothing readable on a small image: the text may be too small to even detect.
        factor = 3.0
    else:
        return 1.0
    factor = min(max(factor, 1.5), options.max_scale, limit)
    return factor if factor > 1.05 else 1.0


def flatten_background(gray):  # type: ignore[no-untyped-def]
    """Divide the image by an estimate of its background, so text on a gradient or under
    uneven light ends up dark on an even white (dark text on a light ground assumed).

    The background is the local maximum of a 1/8-size copy (text strokes vanish in it),
    blurred and scaled back up: a large-kernel estimate at a small cost.
    """
    import numpy as np
    from PIL import Image, ImageFilter

    width, height = gray.size
    small_size = (max(1, width // 8), max(1, height // 8))
    background = (
        gray.resize(small_size, Image.Resampling.BOX)
        .filter(ImageFilter.MaxFilter(3))
        .filter(ImageFilter.GaussianBlur(2))
        .resize(gray.size, Image.Resampling.BILINEAR)
    )
    pixels = np.asarray(gray, dtype=np.float32)
    ground = np.maximum(np.asarray(background, dtype=np.float32), 1.0)
    return Image.fromarray(np.clip(pixels / ground * 255.0, 0, 255).astype(np.uint8))


def _is_dark(gray) -> bool:  # type: ignore[no-untyped-def]
    histogram = gray.histogram()
    total = sum(histogram) or 1
    mean = sum(level * count for level, count in enumerate(histogram)) / total
    return mean < 110


def _otsu(gray):  # type: ignore[no-untyped-def]
    histogram = gray.histogram()
    total = sum(histogram) or 1
    sum_all = sum(level * count for level, count in enumerate(histogram))
    weight_back = 0
    sum_back = 0.0
    best, threshold = -1.0, 127
    for level in range(256):
        weight_back += histogram[level]
        if weight_back == 0:
            continue
        weight_fore = total - weight_back
        if weight_fore == 0:
            break
        sum_back += level * histogram[level]
        mean_back = sum_back / weight_back
        mean_fore = (sum_all - sum_back) / weight_fore
        between = weight_back * weight_fore * (mean_back - mean_fore) ** 2
        if between > best:
            best, threshold = between, level
    return gray.point(lambda value: 255 if value > threshold else 0)
