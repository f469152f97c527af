"""Step "probe": read duration, container and streams with ffprobe; store them on the asset."""

from __future__ import annotations

from mediaarchive.media.probe import probe_file
from mediaarchive.steps.base import StepContext, step


@step(
    "probe",
    kinds=("video", "audio", "image"),
    description="Read duration, container, streams and bitrate with ffprobe.",
)
def probe(ctx: StepContext) -> None:
    with ctx.archive.store.materialize(ctx.asset.blob_key) as path:
        ctx.asset.probe = probe_file(path, label=ctx.label)
