"""Command: demo."""

from __future__ import annotations

import click

from mediaarchive.archive import Archive
from mediaarchive.cli.base import main, pass_archive


@main.command()
@click.option("--event", help="Event name for the seed page (default: the page's file name).")
@pass_archive
def demo(archive: Archive, event: str | None) -> None:
    """Run the demo: a local S3 endpoint with the seed page's assets (a German keynote
    and two screenshots), ingested into the archive, then shown."""
    from mediaarchive.demo import STAGES, DemoContext, run_demo

    run_demo(DemoContext(archive, event=event), STAGES)
