"""Command: demo."""

from __future__ import annotations

import importlib

import click

from mediaarchive import services
from mediaarchive.cli.base import main, pass_archive

#: The demo is an edge of its own, started by its import path (no edge imports another).
DEMO = "mediaarchive.demo"


@main.command()
@click.option("--event", help="Event name for the seed page (default: the page's file name).")
@click.option(
    "--serve/--no-serve",
    default=None,
    help="Serve the web page at the end until Ctrl-C (default: when run from a "
    "terminal); --no-serve for scripts.",
)
@pass_archive
def demo(archive: services.Archive, event: str | None, serve: bool | None) -> None:
    """Run the demo: a local S3 endpoint with the seed page's assets (a German keynote
    and two screenshots), ingested into the archive, then shown.

    Example: mediaarchive --home /tmp/demo-home demo --no-serve
    """
    demo_package = importlib.import_module(DEMO)
    context = demo_package.DemoContext(archive, event=event)
    context.data["serve"] = serve
    demo_package.run_demo(context, demo_package.STAGES)
