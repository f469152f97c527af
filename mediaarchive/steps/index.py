"""Step "index": put the asset's metadata, current transcript and OCR text in the search index."""

from __future__ import annotations

from mediaarchive.search import index_asset
from mediaarchive.steps.base import StepContext, step


@step(
    "index",
    kinds=("video", "audio", "image", "other"),
    description="Index metadata, speech and OCR text for search.",
)
def index(ctx: StepContext) -> None:
    index_asset(ctx.session, ctx.asset)
