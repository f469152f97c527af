"""Demo stage: ingest the seed page as it is."""

from __future__ import annotations

from mediaarchive.demo.base import DemoContext
from mediaarchive.errors import FetchError
from mediaarchive.services.ingest import ingest_sources


def ingest_seed(ctx: DemoContext) -> None:
    """Ingest the seed page (every asset link becomes an asset)"""
    ctx.say(
        f"mediaarchive ingest {ctx.seed_page.name}"
        + (f' --event "{ctx.event}"' if ctx.event else "")
    )
    ctx.results = ingest_sources(ctx.archive, [str(ctx.seed_page)], event=ctx.event)
    for result in ctx.results:
        if result.failed:
            ctx.say(f"  FAILED {result.error}")
        else:
            state = "new" if result.created else "already archived"
            ctx.say(f"  {result.id}  {result.kind:<5}  {result.title}  ({state})")
    failed = [r for r in ctx.results if r.failed]
    if failed:
        raise FetchError(f"the demo could not ingest {len(failed)} asset(s): {failed[0].error}")
