"""Command: demo."""

from __future__ import annotations

import click

from mediaarchive.archive import Archive
from mediaarchive.cli.base import main, pass_archive


@main.command()
@click.option("--event", help="Event name for the seed page (default: the page's file name).")
@click.option("--serve/--no-serve", default=None,
              help="Serve the web page at the end until Ctrl-C (default: when run from a "
                   "terminal); --no-serve for scripts.")
@pass_archive
def demo(archive: Archive, event: str | None, serve: bool | None) -> None:
    """Run the demo: a local S3 endpoint with the seed page's assets (a German keynote
    and two screenshots), ingested into the archive, then shown."""
    from mediaarchive.demo import STAGES, DemoContext, run_demo

    context = DemoContext(archive, event=event)
    context.data["serve"] = serve
    run_demo(context, STAGES)
