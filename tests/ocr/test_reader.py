"""Reading German text in images: words found, character error rate, boxes, noise."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaarchive.errors import ConfigError, OcrError
from mediaarchive.ocr import RAW, read_image, read_images
from tests.fixtures.ocr import (
    SCREENSHOT_LINES,
    SCREENSHOT_TITLE,
    character_error_rate,
    words_of,
)

TRUTH = "\n".join([SCREENSHOT_TITLE, *SCREENSHOT_LINES])


def scaled(path: Path, factor: float, tmp_path: Path) -> Path:
    """The image scaled down, as when a screenshot is pasted small into a page."""
    from PIL import Image

    with Image.open(path) as image:
        size = (round(image.width * factor), round(image.height * factor))
        target = tmp_path / f"{path.stem}-{factor}.png"
        image.resize(size, Image.Resampling.LANCZOS).save(target)
    return target


def test_screenshot_words_are_read_with_boxes_and_confidence(
    screenshot: Path, record_property
) -> None:
    page = read_image(screenshot)

    cer = character_error_rate(TRUTH, page.text)
    record_property("cer", cer)
    print(f"screenshot 1440x900: CER {cer:.3%}")
    assert cer < 0.01
    found = set(words_of(page.text))
    assert {
        "Stadtlabor",
        "Köln",
        "Bürgerbeteiligung",
        "Straßenplanung",
        "Größere",
        "Innovationslabor",
        "Geschäftsstelle",
    } <= found
    assert page.text.splitlines()[0] == SCREENSHOT_TITLE
    # Boxes are in the original's pixels: the title starts where it was drawn (x = 18).
    title = next(w for w in page.words if w.text == "Stadtlabor")
    assert abs(title.left - 18) <= 4 and 10 <= title.top <= 40
    assert all(0 <= w.left < page.width and 0 <= w.top < page.height for w in page.words)
    assert all(0.5 <= w.confidence <= 1 for w in page.words)
    assert 0.8 < page.confidence <= 1


@pytest.mark.parametrize("factor", [0.5, 0.4])
def test_scaled_down_screenshot_is_read_after_upscaling(
    screenshot: Path, tmp_path: Path, factor: float, record_property
) -> None:
    small = scaled(screenshot, factor, tmp_path)

    plain, prepared = read_images([small], preprocessing=RAW)[0], read_image(small)

    cer_plain = character_error_rate(TRUTH, plain.text)
    cer = character_error_rate(TRUTH, prepared.text)
    record_property("cer", cer)
    print(f"screenshot at {factor:.0%}: CER {cer:.3%} pre-processed, {cer_plain:.3%} as is")
    assert prepared.scale > 1
    assert cer < 0.03
    assert cer < cer_plain
    assert {"Stadtlabor", "Straßenplanung", "Innovationslabor"} <= set(words_of(prepared.text))
    # Boxes are given back in the small image's pixels.
    title = next(w for w in prepared.words if w.text == "Stadtlabor")
    assert abs(title.left - 18 * factor) <= 3


def test_dark_theme_and_uneven_light_are_read(tmp_path: Path) -> None:
    import numpy as np
    from PIL import Image, ImageFilter

    from mediaarchive.synth import text_image

    dark = text_image(
        SCREENSHOT_LINES[:2], size=(1280, 720), font_size=24, background="#1e1e1e", color="#d4d4d4"
    )
    # A "photo" of a board: grey, lit from one side, sensor noise, blur, strong JPEG.
    light = text_image(SCREENSHOT_LINES[2:4], size=(1280, 720), font_size=26)
    gray = np.asarray(Image.open(light).convert("L"), dtype=np.float32) * 0.5 + 100
    gray += np.linspace(-30, 30, gray.shape[1])[None, :]
    gray += np.random.default_rng(3).normal(0, 12, gray.shape)
    photo = tmp_path / "board.jpg"
    Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(0.8)
    ).save(photo, quality=25)

    dark_page, photo_page = read_images([dark, photo])

    assert character_error_rate("\n".join(SCREENSHOT_LINES[:2]), dark_page.text) < 0.02
    assert character_error_rate("\n".join(SCREENSHOT_LINES[2:4]), photo_page.text) < 0.05
    assert read_images([photo], preprocessing=RAW)[0].text == ""  # Tesseract alone: nothing


def test_scribbles_without_text_give_no_text(tmp_path: Path) -> None:
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(5)
    image = Image.new("L", (900, 600), 255)
    draw = ImageDraw.Draw(image)
    for _ in range(300):
        x, y = int(rng.integers(0, 880)), int(rng.integers(0, 580))
        draw.line(
            [x, y, x + int(rng.integers(-15, 15)), y + int(rng.integers(-15, 15))], fill=0, width=2
        )
    scribble = tmp_path / "scribble.png"
    image.save(scribble)

    unfiltered = read_image(scribble, preprocessing=RAW, min_confidence=0)
    page = read_image(scribble)

    assert len(unfiltered.words) > 20  # Tesseract reads letters into the scribbles…
    assert page.text == "" and page.words == [] and page.confidence is None  # …we drop them


def test_missing_language_model_says_what_to_install(screenshot: Path) -> None:
    with pytest.raises(ConfigError, match="tesseract-ocr-xyz"):
        read_image(screenshot, languages="deu+xyz")


def test_unreadable_image_is_an_ocr_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(OcrError, match="broken.png"):
        read_image(broken)
