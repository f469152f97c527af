"""Demo stage: process what was ingested (probe, transcode, thumbnails and later steps)."""

from __future__ import annotations

from mediaarchive import services
from mediaarchive.demo.base import DemoContext
from mediaarchive.errors import MediaArchiveError


def process_ingested(ctx: DemoContext) -> None:
    """Process the assets: each runs the pipeline for its kind"""
    ctx.say("mediaarchive run")
    hashes = [r.sha256 for r in ctx.results if r.sha256]
    run = services.demo.process_ingested(
        ctx.archive, hashes, reporter=services.progress.make_reporter()
    )
    for summary in run.summaries:
        steps = ", ".join(
            f"{s['name']} {s['state']}"
            + (f" {s['seconds']:.1f}s" if s["seconds"] is not None else "")
            for s in summary["steps"]
        )
        ctx.say(f"  {summary['id']}  {summary['state']:<6}  {steps}")
    for rendition in run.renditions:
        params = rendition.params
        shape = (
            f" {params['width']}x{params['height']}"
            if "width" in params and "height" in params
            else ""
        )
        codecs = "/".join(
            str(params[k]) for k in ("video_codec", "audio_codec", "codec") if params.get(k)
        )
        ctx.say(
            f"    {rendition.asset_id} {rendition.kind:<12} {rendition.mime or '':<11}"
            f"{rendition.size / 1e6:7.2f} MB{shape} {codecs}".rstrip()
        )
    if run.failed:
        raise MediaArchiveError(
            f"the demo could not process {run.failed} asset(s): see 'mediaarchive status'"
        )
