"""Step "probe": read duration, container and streams with ffprobe; store them on the asset."""

from __future__ import annotations

from mediaarchive import profiling
from mediaarchive.media.complete import check_complete, check_decodable
from mediaarchive.media.probe import probe_file
from mediaarchive.steps.base import StepContext, step


@step(
    "probe",
    kinds=("video", "audio", "image"),
    description="Read duration, container, streams and bitrate with ffprobe; a recording "
    "cut short (its last packet well before the duration its container claims) fails.",
)
def probe(ctx: StepContext) -> None:
    with ctx.archive.store.materialize(ctx.asset.blob_key) as path:
        with profiling.phase("ffprobe / header"):
            summary = probe_file(path, label=ctx.label)
        accept = bool((ctx.asset.extra or {}).get("accept_truncated"))
        check_decodable(path, summary, ctx.label)
        with profiling.phase("completeness check"):
            check_complete(path, summary, ctx.label, accept=accept)
        ctx.asset.probe = summary
