"""Demo stage (the last): serve the web page and print its URL."""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from mediaarchive import services
from mediaarchive.demo.base import DemoContext
from mediaarchive.errors import UserError

if TYPE_CHECKING:
    from mediaarchive.services import Archive

#: Words worth searching in the demo: one the keynote speaks, one only on a screenshot.
DEMO_QUERIES = ("Innovationslabor", "Luftqualität")
DEMO_HOST = "127.0.0.1"
DEMO_PORT = 8000
#: The web edge, started by its import path (no edge imports another).
WEB_SERVER = "mediaarchive.web.server"


def demo_links(archive: Archive, base_url: str) -> list[tuple[str, str]]:
    """(what, URL) of the pages worth opening: the start page, searches and their best hits."""
    base = base_url.rstrip("/")
    links = [("Start page", f"{base}/")]
    for example in services.demo.search_examples(archive, DEMO_QUERIES):
        links.append((f"Search {example.query!r}", f"{base}/?{urlencode({'q': example.query})}"))
        links.append((f"  best hit ({example.source})", f"{base}{example.link}"))
    return links


def serve_web(ctx: DemoContext) -> None:
    """The web page"""
    serve = ctx.data.get("serve")
    if serve is None:  # a person at a terminal gets the page; scripts and pipes do not wait
        serve = sys.stdin.isatty()
    if not serve:
        for what, url in demo_links(ctx.archive, f"http://{DEMO_HOST}:{DEMO_PORT}/"):
            ctx.say(f"  {what}: {url}")
        ctx.say(
            f"Not serving (--no-serve or not a terminal). Browse with: mediaarchive "
            f"--home {ctx.archive.settings.home} serve"
        )
        return
    background_server = importlib.import_module(WEB_SERVER).BackgroundServer
    try:
        server = background_server(ctx.archive, DEMO_HOST, DEMO_PORT)
    except UserError:  # port 8000 is taken: any free port will do
        server = background_server(ctx.archive, DEMO_HOST, 0)
    ctx.data["web_server"] = server
    with server:
        for what, url in demo_links(ctx.archive, server.url):
            ctx.say(f"  {what}: {url}")
        ctx.say(f"Serving the archive at {server.url} — open it in a browser; Ctrl-C stops.")
        try:
            server.wait()
        except KeyboardInterrupt:
            ctx.say("Stopped serving.")
