"""Running the Tesseract command line and reading its TSV output.

We call the ``tesseract`` binary ourselves instead of going through pytesseract because each
call needs its own ``OMP_THREAD_LIMIT`` (the runner's thread budget): pytesseract inherits the
process environment, which parallel jobs in one process would have to fight over. Several
images go into one call (a list file), so the language models load once per batch.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mediaarchive.errors import ConfigError, OcrError

#: Seconds one tesseract call may take per image before it counts as hung.
TIMEOUT_PER_IMAGE = 120.0


@dataclass(frozen=True)
class RawWord:
    """One word as Tesseract reports it (pixel box in the image it was given, conf 0–100)."""

    page: int
    block: int
    paragraph: int
    line: int
    left: int
    top: int
    width: int
    height: int
    confidence: float
    text: str

    @property
    def line_key(self) -> tuple[int, int, int]:
        return (self.block, self.paragraph, self.line)


def tesseract_binary() -> str:
    """Path of the tesseract executable.

    Raises:
        ConfigError: it is not installed.
    """
    found = shutil.which("tesseract")
    if not found:
        raise ConfigError("tesseract is not installed: run 'make setup' (Debian: tesseract-ocr)")
    return found


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """The language models Tesseract can load."""
    result = subprocess.run([tesseract_binary(), "--list-langs"], capture_output=True, text=True)
    lines = (result.stdout or result.stderr).splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


def check_languages(languages: str) -> None:
    """Fail early, with the package to install, when a language model is missing."""
    missing = [lang for lang in languages.split("+") if lang not in installed_languages()]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise ConfigError(
            f"Tesseract has no model for {', '.join(missing)}: run 'make setup' "
            f"(Debian packages {packages})"
        )


def version() -> str:
    """Tesseract's version line (for provenance)."""
    result = subprocess.run([tesseract_binary(), "--version"], capture_output=True, text=True)
    first = (result.stdout or result.stderr).splitlines()
    return first[0].strip() if first else "tesseract"


def run_tesseract(
    images: Sequence[Path], *, languages: str, threads: int = 1, psm: int = 3
) -> list[list[RawWord]]:
    """OCR the images in one Tesseract call; the words of each image, in reading order.

    Args:
        images: image files Tesseract can read (PNG, JPEG, TIFF…).
        languages: Tesseract language string, e.g. ``"deu+eng"``.
        threads: OpenMP threads Tesseract may use (``OMP_THREAD_LIMIT``).
        psm: page segmentation mode (3: fully automatic).

    Raises:
        OcrError: Tesseract failed or timed out.
    """
    if not images:
        return []
    check_languages(languages)
    env = {**os.environ, "OMP_THREAD_LIMIT": str(max(1, threads))}
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        if len(images) == 1:
            source = str(images[0])
        else:
            listing = Path(tmp) / "images.txt"
            listing.write_text("".join(f"{Path(p).resolve()}\n" for p in images))
            source = str(listing)
        cmd = [
            tesseract_binary(),
            source,
            str(Path(tmp) / "out"),
            "-l",
            languages,
            "--psm",
            str(psm),
            "tsv",
        ]
        try:
            result = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                env=env,
                timeout=TIMEOUT_PER_IMAGE * len(images),
            )
        except subprocess.TimeoutExpired as exc:
            raise OcrError(
                f"tesseract timed out on {images[0]}: the image may be huge or damaged"
            ) from exc
        out = Path(tmp) / "out.tsv"
        if result.returncode != 0 or not out.exists():
            detail = _last_line(result.stderr) or f"exit code {result.returncode}"
            raise OcrError(f"tesseract failed on {images[0]}: {detail}")
        return _split_pages(parse_tsv(out.read_text(encoding="utf-8")), len(images))


def parse_tsv(tsv: str) -> list[RawWord]:
    """The word rows (level 5) of Tesseract's TSV output."""
    words: list[RawWord] = []
    reader = csv.DictReader(tsv.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        if not text:
            continue
        words.append(
            RawWord(
                page=int(row["page_num"]),
                block=int(row["block_num"]),
                paragraph=int(row["par_num"]),
                line=int(row["line_num"]),
                left=int(row["left"]),
                top=int(row["top"]),
                width=int(row["width"]),
                height=int(row["height"]),
                confidence=float(row["conf"]),
                text=text,
            )
        )
    return words


def _split_pages(words: list[RawWord], pages: int) -> list[list[RawWord]]:
    per_page: list[list[RawWord]] = [[] for _ in range(pages)]
    for word in words:
        if 1 <= word.page <= pages:
            per_page[word.page - 1].append(word)
    return per_page


def _last_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    meaningful = [line for line in lines if "Estimating resolution" not in line]
    return (meaningful or lines or [""])[-1]
