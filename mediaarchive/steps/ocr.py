"""Step "ocr": read the text of a still image (screenshot, board photo) with Tesseract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import delete

from mediaarchive.db import OcrText
from mediaarchive.ocr import DEFAULT_MIN_CONFIDENCE, read_image
from mediaarchive.ocr.tesseract import version
from mediaarchive.steps.base import StepContext, step
from mediaarchive.steps.sync import ocr_text_changed


def ocr_params(ctx: StepContext) -> dict[str, Any]:
    """The step's Tesseract options: pipeline parameters, else the archive's settings."""
    return {
        "languages": ctx.params.get("languages") or ctx.archive.settings.ocr_languages,
        "min_confidence": float(ctx.params.get("min_confidence", DEFAULT_MIN_CONFIDENCE)),
        "psm": int(ctx.params.get("psm", 3)),
    }


@step(
    "ocr",
    kinds=("image",),
    params={"languages": None, "min_confidence": DEFAULT_MIN_CONFIDENCE, "psm": 3},
    description="Read the text in an image (German and English) with word boxes.",
)
def ocr_image(ctx: StepContext) -> None:
    """Replace the asset's image text with what Tesseract reads in the original."""
    options = ocr_params(ctx)
    with ctx.archive.store.materialize(ctx.asset.blob_key, check=True) as path:
        page = read_image(Path(path), threads=ctx.threads, **options)
    ctx.session.execute(
        delete(OcrText).where(OcrText.asset_id == ctx.asset.id, OcrText.source == "image")
    )
    if page.text:
        ctx.session.add(
            OcrText(
                asset_id=ctx.asset.id,
                source="image",
                start=None,
                end=None,
                text=page.text,
                confidence=page.confidence,
                words=[w.to_json() for w in page.words],
                params={
                    **page.params,
                    "tesseract": version(),
                    "scale": page.scale,
                    "dropped_words": page.dropped,
                    "seconds": round(page.seconds, 3),
                },
            )
        )
    ocr_text_changed(ctx.session, ctx.asset)
