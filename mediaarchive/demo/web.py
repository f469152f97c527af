"""Demo stage (the last): serve the web page and print its URL."""

from __future__ import annotations

import sys
from urllib.parse import urlencode

from mediaarchive.archive import Archive
from mediaarchive.demo.base import DemoContext
from mediaarchive.errors import UserError

#: Words worth searching in the demo: one the keynote speaks, one only on a screenshot.
DEMO_QUERIES = ("Innovationslabor", "Luftqualität")
DEMO_PORT = 8000


def demo_links(archive: Archive, base_url: str) -> list[tuple[str, str]]:
    """(what, URL) of the pages worth opening: the start page, searches and their best hits."""
    from mediaarchive.services.search import search

    base = base_url.rstrip("/")
    links = [("Start page", f"{base}/")]
    for query in DEMO_QUERIES:
        hits = search(archive, query, limit=5)
        if hits:
            links.append((f"Search {query!r}", f"{base}/?{urlencode({'q': query})}"))
            best = next((hit for hit in hits if hit.source == "speech"), hits[0])
            links.append((f"  best hit ({best.source})", f"{base}{best.link}"))
    return links


def serve_web(ctx: DemoContext) -> None:
    """The web page"""
    from mediaarchive.web.server import BackgroundServer, page_url

    serve = ctx.data.get("serve")
    if serve is None:  # a person at a terminal gets the page; scripts and pipes do not wait
        serve = sys.stdin.isatty()
    if not serve:
        for what, url in demo_links(ctx.archive, page_url("127.0.0.1", DEMO_PORT)):
            ctx.say(f"  {what}: {url}")
        ctx.say(f"Not serving (--no-serve or not a terminal). Browse with: mediaarchive "
                f"--home {ctx.archive.settings.home} serve")
        return
    try:
        server = BackgroundServer(ctx.archive, "127.0.0.1", DEMO_PORT)
    except UserError:  # port 8000 is taken: any free port will do
        server = BackgroundServer(ctx.archive, "127.0.0.1", 0)
    ctx.data["web_server"] = server
    with server:
        for what, url in demo_links(ctx.archive, server.url):
            ctx.say(f"  {what}: {url}")
        ctx.say(f"Serving the archive at {server.url} — open it in a browser; Ctrl-C stops.")
        try:
            server.wait()
        except KeyboardInterrupt:
            ctx.say("Stopped serving.")
