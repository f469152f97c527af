"""Demo stage: the screenshots' text is read (OCR) and found by search."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from mediaarchive.db import Asset, Job
from mediaarchive.demo.base import DemoContext
from mediaarchive.errors import MediaArchiveError
from mediaarchive.pipeline.runner import run_queued
from mediaarchive.search import search

#: A word only on the Bildschirmfoto screenshot (``demo.media.SCREENSHOT_TEXT``), never on
#: the seed page or in the keynote: a hit shows it was read from the image.
SEARCH_WORD = "Luftqualität"


def _plain(snippet: str) -> str:
    """A search snippet for the terminal: the match in »…«, entities decoded."""
    return html.unescape(re.sub(r"<mark>(.*?)</mark>", r"»\1«", snippet)).replace("\n", " ")


def search_screenshot_text(ctx: DemoContext) -> None:
    """Text in the screenshots (OCR), searchable"""
    ids = [r.sha256 for r in ctx.results if r.kind == "image" and r.sha256]
    with ctx.archive.session() as session:
        images = session.scalars(select(Asset).where(Asset.sha256.in_(ids))).all()
        asset_ids = [a.id for a in images]
        read = set(session.scalars(select(Job.asset_id).where(
            Job.asset_id.in_(asset_ids), Job.step == "ocr", Job.state == "done")))
    unread = [i for i in asset_ids if i not in read]
    if unread:
        ctx.say(f"Reading the text of {len(unread)} screenshot(s) with Tesseract (deu+eng)…")
        run_queued(ctx.archive, asset_ids=unread)
    with ctx.archive.session() as session:
        for asset in session.scalars(select(Asset).where(Asset.id.in_(asset_ids))):
            for text in asset.ocr_texts:
                first = text.text.splitlines()[0] if text.text else ""
                ctx.say(f"  {asset.short_id}  {len(text.words)} words, confidence "
                        f"{text.confidence or 0:.2f}: {first}…")
    ctx.say(f'mediaarchive search "{SEARCH_WORD}"')
    hits = search(ctx.archive, SEARCH_WORD)
    for hit in hits:
        ctx.say(f"  {hit.asset_id}  [{hit.source}]  {hit.title}")
        ctx.say(f"    {_plain(hit.snippet)}")
        ctx.say(f"    {hit.link}")
    if not any(hit.source == "image" for hit in hits):
        raise MediaArchiveError(
            f"the demo's screenshot was not found by the word {SEARCH_WORD!r} on it: "
            "see 'mediaarchive status' for its ocr step")
