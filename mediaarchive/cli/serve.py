"""Command: serve (the web page and JSON API)."""

from __future__ import annotations

import click

from mediaarchive.archive import Archive
from mediaarchive.cli.base import main, pass_archive


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; use 0.0.0.0 only to share the archive on a network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@pass_archive
def serve(archive: Archive, host: str, port: int) -> None:
    """Serve the web page: search, watch talks with subtitles, read, download (read-only)."""
    from mediaarchive.web.server import page_url, run_server

    click.echo(f"Serving {page_url(host, port)} (Ctrl-C stops)", err=True)
    run_server(archive, host, port)
