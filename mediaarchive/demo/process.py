"""Demo stage: process what was ingested (probe, transcode, thumbnails and later steps)."""

from __future__ import annotations

from sqlalchemy import select

from mediaarchive.db import Asset
from mediaarchive.demo.base import DemoContext
from mediaarchive.errors import MediaArchiveError
from mediaarchive.pipeline.progress import make_reporter
from mediaarchive.pipeline.runner import run_queued
from mediaarchive.services.process import asset_statuses


def process_ingested(ctx: DemoContext) -> None:
    """Process the assets: each runs the pipeline for its kind"""
    ctx.say("mediaarchive run")
    hashes = [r.sha256 for r in ctx.results if r.sha256]
    with ctx.archive.session() as session:
        ids = list(session.scalars(select(Asset.id).where(Asset.sha256.in_(hashes))))
    reporter = make_reporter()
    try:
        result = run_queued(ctx.archive, asset_ids=ids, reporter=reporter)
    finally:
        close = getattr(reporter, "close", None)
        if close:
            close()
    for summary in asset_statuses(ctx.archive, ids):
        steps = ", ".join(
            f"{s['name']} {s['state']}"
            + (f" {s['seconds']:.1f}s" if s["seconds"] is not None else "")
            for s in summary["steps"])
        ctx.say(f"  {summary['id']}  {summary['state']:<6}  {steps}")
    with ctx.archive.session() as session:
        for asset in session.scalars(select(Asset).where(Asset.id.in_(ids))):
            for rendition in asset.renditions:
                params = rendition.params or {}
                shape = (f" {params['width']}x{params['height']}"
                         if "width" in params and "height" in params else "")
                codecs = "/".join(str(params[k]) for k in ("video_codec", "audio_codec",
                                                           "codec") if params.get(k))
                ctx.say(f"    {asset.short_id} {rendition.kind:<12} {rendition.mime or '':<11}"
                        f"{rendition.size / 1e6:7.2f} MB{shape} {codecs}".rstrip())
    if result.failed:
        raise MediaArchiveError(f"the demo could not process {len(result.failed)} asset(s): "
                                "see 'mediaarchive status'")
