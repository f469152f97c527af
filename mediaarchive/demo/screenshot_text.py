"""Demo stage: the screenshots' text is read (OCR) and found by search."""

from __future__ import annotations

import html
import re

from mediaarchive.demo.base import DemoContext
from mediaarchive.errors import MediaArchiveError
from mediaarchive.services import demo as demo_service
from mediaarchive.services import search, views
from mediaarchive.vocabulary import HitSource, JobState

#: A word only on the Bildschirmfoto screenshot (``demo.media.SCREENSHOT_TEXT``), never on
#: the seed page or in the keynote: a hit shows it was read from the image.
SEARCH_WORD = "Luftqualität"


def _plain(snippet: str) -> str:
    """A search snippet for the terminal: the match in »…«, entities decoded."""
    return html.unescape(re.sub(r"<mark>(.*?)</mark>", r"»\1«", snippet)).replace("\n", " ")


def search_screenshot_text(ctx: DemoContext) -> None:
    """Text in the screenshots (OCR), searchable"""
    ids = {r.sha256 for r in ctx.results if r.kind == "image" and r.sha256}
    with views.read_session(ctx.archive) as session:
        images = [asset for asset in views.list_assets(session) if asset.sha256 in ids]
    unread = [
        image.sha256
        for image in images
        if not any(step.name == "ocr" and step.state == JobState.DONE for step in image.steps)
    ]
    if unread:
        ctx.say(f"Reading the text of {len(unread)} screenshot(s) with Tesseract (deu+eng)…")
        demo_service.process_ingested(ctx.archive, unread)
    for image in images:
        for text in views.asset_detail(ctx.archive, image)["ocr"]:
            first = text["text"].splitlines()[0] if text["text"] else ""
            ctx.say(
                f"  {image.id}  {len(text['words'])} words, confidence "
                f"{text['confidence'] or 0:.2f}: {first}…"
            )
    ctx.say(f'mediaarchive search "{SEARCH_WORD}"')
    hits = search.search(ctx.archive, SEARCH_WORD)
    for hit in hits:
        ctx.say(f"  {hit.asset_id}  [{hit.source}]  {hit.title}")
        ctx.say(f"    {_plain(hit.snippet)}")
        ctx.say(f"    {hit.link}")
    if not any(hit.source == HitSource.IMAGE for hit in hits):
        raise MediaArchiveError(
            f"the demo's screenshot was not found by the word {SEARCH_WORD!r} on it: "
            "see 'mediaarchive status' for its ocr step"
        )
