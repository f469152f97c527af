"""Reading text in images and in the slides of talk videos (Tesseract, German and English)."""

from mediaarchive.ocr.preprocess import RAW, Preprocessing
from mediaarchive.ocr.reader import (
    DEFAULT_LANGUAGES,
    DEFAULT_MIN_CONFIDENCE,
    OcrPage,
    OcrWord,
    read_image,
    read_images,
)

__all__ = [
    "DEFAULT_LANGUAGES",
    "DEFAULT_MIN_CONFIDENCE",
    "RAW",
    "OcrPage",
    "OcrWord",
    "Preprocessing",
    "read_image",
    "read_images",
]
