"""Demo stage: what the archive now holds."""

from __future__ import annotations

from mediaarchive.demo.base import DemoContext
from mediaarchive.services.views import asset_detail, event_summaries, list_assets


def print_archive(ctx: DemoContext) -> None:
    """What the archive holds"""
    ids = {r.sha256 for r in ctx.results if r.sha256}
    with ctx.archive.session() as session:
        for asset in list_assets(session):
            if asset.sha256 not in ids:
                continue
            detail = asset_detail(ctx.archive, asset)
            ctx.say(
                f"{detail['id']}  {detail['kind']}  {detail['mime']}  "
                f"{detail['size'] / 1e6:.2f} MB  state={detail['state']}"
            )
            ctx.say(f"    title:   {detail['title']}")
            ctx.say(f"    event:   {detail['event']}")
            if detail["description"]:
                text = detail["description"].replace("\n", " ")
                ctx.say(f"    context: {text[:110]}{'…' if len(text) > 110 else ''}")
            ctx.say(f"    source:  {detail['source_urls'][0]}")
            ctx.say(f"    stored:  {detail['original']['path'] or detail['original']['uri']}")
        for event in event_summaries(session):
            links = ", ".join(link["url"] for link in event["page_links"])
            ctx.say(
                f"event {event['name']!r}: {event['assets']} asset(s)"
                + (f"; page links kept: {links}" if links else "")
            )
    ctx.say(f"Archive home: {ctx.archive.settings.home}")
