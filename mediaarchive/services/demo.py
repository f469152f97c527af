"""What the demo needs besides the commands' use cases: its media made from the seed page
(German speech with espeak-ng, pictures with text), the page's asset links, a run of what it
ingested, and the searches worth showing.

The demo (``mediaarchive.demo``) is an edge like the CLI: it shows the same use cases
(``ingest``, ``transcripts``, ``subtitles``, ``export``, ``views``) and reaches the
generated media and the page reader only through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from mediaarchive import synth
from mediaarchive.archive import Archive
from mediaarchive.db import Asset
from mediaarchive.pipeline.progress import Reporter
from mediaarchive.pipeline.runner import run_queued
from mediaarchive.services.process import asset_statuses
from mediaarchive.services.search import search
from mediaarchive.sources.pages import read_page
from mediaarchive.sources.urls import parse_location

__all__ = [
    "DemoRun",
    "RenditionLine",
    "SearchExample",
    "SeedObject",
    "SeedPage",
    "process_ingested",
    "read_seed_page",
    "search_examples",
    "talk_video",
    "text_image",
]


@dataclass(frozen=True)
class SeedObject:
    """An S3 object the seed page links to."""

    bucket: str
    key: str
    filename: str


@dataclass
class SeedPage:
    """What the demo takes from the seed page: its text and the S3 objects it links to."""

    path: Path
    title: str | None
    paragraphs: list[str]
    objects: list[SeedObject] = field(default_factory=list)


def read_seed_page(path: Path) -> SeedPage:
    """The page export's paragraphs and the S3 objects of its asset links."""
    page = read_page(path)
    objects: list[SeedObject] = []
    for link in page.asset_links:
        location = parse_location(link.url)
        if location.bucket is None or location.key is None:
            continue
        objects.append(SeedObject(location.bucket, location.key, location.filename))
    return SeedPage(page.path, page.title, list(page.paragraphs), objects)


def talk_video(paragraphs: Sequence[str], *, slide: Sequence[str]) -> Path:
    """A talk: the paragraphs spoken in German over a title slide (cached)."""
    return synth.talk_video(list(paragraphs), voices=("de",), pause=0.8, image_lines=slide)


def text_image(lines: Sequence[str], *, title: str) -> Path:
    """A screenshot-sized PNG showing a title and lines of text (cached)."""
    return synth.text_image(list(lines), title=title, size=(1280, 720), font_size=44)


@dataclass
class RenditionLine:
    """One rendition of a processed asset, as the demo lists it."""

    asset_id: str
    kind: str
    mime: str | None
    size: int
    params: dict[str, Any]


@dataclass
class DemoRun:
    """What processing the ingested assets did."""

    #: ``status --json`` entries of the assets.
    summaries: list[dict[str, Any]]
    renditions: list[RenditionLine]
    failed: int


def process_ingested(
    archive: Archive, sha256s: Sequence[str], *, reporter: Reporter | None = None
) -> DemoRun:
    """Run the pipeline of these assets (by sha256) here, as ``mediaarchive run`` does.

    ``reporter`` shows the progress and is closed at the end.
    """
    with archive.session() as session:
        ids = list(session.scalars(select(Asset.id).where(Asset.sha256.in_(list(sha256s)))))
    try:
        result = run_queued(archive, asset_ids=ids, reporter=reporter)
    finally:
        close = getattr(reporter, "close", None)
        if close is not None:
            close()
    renditions: list[RenditionLine] = []
    with archive.session() as session:
        for asset in session.scalars(select(Asset).where(Asset.id.in_(ids)).order_by(Asset.id)):
            renditions += [
                RenditionLine(asset.short_id, r.kind, r.mime, r.size, dict(r.params or {}))
                for r in asset.renditions
            ]
    return DemoRun(asset_statuses(archive, ids), renditions, len(result.failed))


@dataclass
class SearchExample:
    """A search worth showing and its best hit (spoken, where there is one)."""

    query: str
    source: str
    link: str


def search_examples(archive: Archive, queries: Sequence[str]) -> list[SearchExample]:
    """For each query that finds something: where its best hit is."""
    examples: list[SearchExample] = []
    for query in queries:
        hits = search(archive, query, limit=5)
        if hits:
            best = next((hit for hit in hits if hit.source == "speech"), hits[0])
            examples.append(SearchExample(query, best.source, best.link))
    return examples
