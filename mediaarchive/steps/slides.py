"""Step "slides": find the slides of a talk video, keep each as a picture, read its text."""

from __future__ import annotations

import re
import tempfile
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import delete, select

from mediaarchive.db import OcrText, Rendition
from mediaarchive.ocr import DEFAULT_MIN_CONFIDENCE, OcrPage, read_images
from mediaarchive.ocr.slides import SlideOptions, SlideSpan, detect_slides, extract_frame
from mediaarchive.ocr.tesseract import version
from mediaarchive.steps.base import StepContext, step
from mediaarchive.steps.ocr import ocr_params
from mediaarchive.steps.sync import ocr_text_changed

DEFAULTS = SlideOptions()


def _slide_options(ctx: StepContext) -> SlideOptions:
    values = asdict(DEFAULTS)
    for name, default in values.items():
        if ctx.params.get(name) is not None:
            values[name] = type(default)(ctx.params[name])
    return SlideOptions(**values)


def _normalized(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


@step(
    "slides",
    kinds=("video",),
    params={
        "languages": None,
        "min_confidence": DEFAULT_MIN_CONFIDENCE,
        "psm": 3,
        **asdict(DEFAULTS),
    },
    description="Find slide changes in a talk video, keep slide frames, read their text.",
)
def find_slides(ctx: StepContext) -> None:
    """Detect slides, OCR one frame of each, store frames and texts with their time ranges."""
    options = _slide_options(ctx)
    ocr_options = ocr_params(ctx)
    with (
        ctx.archive.store.materialize(ctx.asset.blob_key, check=True) as original,
        tempfile.TemporaryDirectory(prefix="slides-") as tmp,
    ):
        video = Path(original)
        spans = [
            s
            for s in detect_slides(
                video,
                options=options,
                threads=ctx.threads,
                progress=lambda done, total: ctx.progress(done, total, "s"),
            )
            if not s.blank
        ]
        frames = [
            extract_frame(
                video, span.frame_time, Path(tmp) / f"slide-{i:04d}.png", threads=ctx.threads
            )
            for i, span in enumerate(spans, start=1)
        ]
        pages = read_images(frames, threads=ctx.threads, **ocr_options)
        slides = _merge_repeats(list(zip(spans, frames, pages, strict=True)))
        _replace_slides(ctx, slides, options)


def _merge_repeats(
    slides: list[tuple[SlideSpan, Path, OcrPage]],
) -> list[tuple[SlideSpan, Path, OcrPage]]:
    """One slide for consecutive spans with the same text (a pointer moved, a video played
    in a corner): the first picture, the whole time range."""
    merged: list[tuple[SlideSpan, Path, OcrPage]] = []
    for span, frame, page in slides:
        if merged and page.text and _normalized(page.text) == _normalized(merged[-1][2].text):
            merged[-1][0].end = span.end
            continue
        merged.append((SlideSpan(span.start, span.end), frame, page))
    return merged


def _replace_slides(
    ctx: StepContext, slides: list[tuple[SlideSpan, Path, OcrPage]], options: SlideOptions
) -> None:
    session = ctx.session
    session.execute(
        delete(OcrText).where(OcrText.asset_id == ctx.asset.id, OcrText.source == "slide")
    )
    old = session.scalars(
        select(Rendition).where(Rendition.asset_id == ctx.asset.id, Rendition.kind == "slide")
    ).all()
    for rendition in old:
        session.delete(rendition)
    session.flush()
    engine = version()
    for number, (span, frame, page) in enumerate(slides, start=1):
        label = f"slide-{number:04d}"
        timing = {
            "start": round(span.start, 3),
            "end": round(span.end, 3),
            "frame_time": round(span.frame_time, 3),
        }
        rendition = ctx.save_rendition(
            "slide",
            frame,
            mime="image/png",
            label=label,
            params={
                **timing,
                "width": page.width,
                "height": page.height,
                "detection": asdict(options),
            },
        )
        if page.text:
            session.add(
                OcrText(
                    asset_id=ctx.asset.id,
                    source="slide",
                    start=round(span.start, 3),
                    end=round(span.end, 3),
                    text=page.text,
                    confidence=page.confidence,
                    words=[w.to_json() for w in page.words],
                    rendition_id=rendition.id,
                    params={
                        **page.params,
                        "tesseract": engine,
                        "slide": label,
                        "frame_time": timing["frame_time"],
                        "scale": page.scale,
                        "dropped_words": page.dropped,
                    },
                )
            )
    session.flush()
    session.expire(ctx.asset, ["renditions"])
    # A hit on slide text links to the moment the slide appears (its start).
    ocr_text_changed(session, ctx.asset)
