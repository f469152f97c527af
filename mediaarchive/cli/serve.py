"""Command: serve (the web page and JSON API)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import main, pass_archive

if TYPE_CHECKING:
    from mediaarchive.services import Archive

#: The web app's factory, by import path (as uvicorn takes an app); called with the archive.
WEB_APP = "mediaarchive.web.app:create_app"


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; use 0.0.0.0 only to share the archive on a network.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="A host name the page answers to (repeatable), besides the address it listens on "
    "and localhost; also the allowed_hosts setting. '*' allows any.",
)
@click.option(
    "--public-only",
    is_flag=True,
    help="Serve only public assets and events, with no log-in at all (a public site).",
)
@pass_archive
def serve(
    archive: Archive, host: str, port: int, allowed_hosts: tuple[str, ...], public_only: bool
) -> None:
    """Serve the web page: search, watch talks with subtitles, read, download; accounts log
    in to edit (see 'mediaarchive users').

    Example: mediaarchive serve --host 0.0.0.0 --allowed-host archive.example.org
    """
    hosts = services.serving.host_policy(
        archive.settings, host, allowed_hosts, public_only=public_only
    )
    click.echo(f"Serving {services.serving.page_url(host, port)} (Ctrl-C stops)", err=True)
    if hosts.any_host:
        click.echo(
            f"Warning: listening on {host} and accepting any Host header (open to DNS "
            "rebinding): name the host names with --allowed-host or MEDIAARCHIVE_ALLOWED_HOSTS",
            err=True,
        )
    services.serving.serve_web(archive, WEB_APP, host, port, hosts=hosts)
