"""Notion page exports (``.txt``, ``.md``, ``.html``): the page's title, headings, links, text.

A page is read into a flat list of blocks (heading, text, link) in reading order; every
link then gets the heading above it and the text near it. Asset links (S3 objects, media
files, files of the export) are fetched; other links (a homepage) are kept as page links.

Plain-text exports have no markup: a heading there is a short line without final
punctuation that is followed by more of the page (the seed's "Mitwirkende",
"StadtLABOR Soest", "Hertie School of Governance Berlin").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mediaarchive.sources.kinds import looks_like_media_name
from mediaarchive.sources.urls import is_presigned, is_url, s3_host_match

PAGE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_URL = re.compile(r"(?:https?|s3)://[^\s<>\"'\])]+", re.IGNORECASE)
_MD_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\((?P<url><[^>]+>|[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_MD_HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
_NOTION_ID = re.compile(r"\s+[0-9a-f]{32}$")
_FINAL_PUNCTUATION = tuple(".,;:!?…\"'“”»«)]-–—")
HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 10


@dataclass
class Block:
    """One piece of a page in reading order."""

    kind: str  # heading, text, link
    text: str = ""
    url: str | None = None
    #: The paragraph a link sits in (inline links); None for a link on its own line.
    context: str | None = None


@dataclass
class PageLinkItem:
    """A link on a page, with where it sits."""

    url: str
    heading: str | None
    headings: list[str]
    context: str | None
    text: str | None
    is_asset: bool


@dataclass
class Page:
    """A parsed page export."""

    path: Path
    title: str | None
    links: list[PageLinkItem] = field(default_factory=list)
    #: The page's running text (paragraphs that are not headings or bare links).
    paragraphs: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The export's file name without extension and Notion's id suffix."""
        stem = self.path.stem
        return _NOTION_ID.sub("", stem) or stem

    @property
    def asset_links(self) -> list[PageLinkItem]:
        return [link for link in self.links if link.is_asset]

    @property
    def other_links(self) -> list[PageLinkItem]:
        return [link for link in self.links if not link.is_asset]


def is_page_file(path: Path) -> bool:
    return path.suffix.lower() in PAGE_SUFFIXES


def read_page(path: Path) -> Page:
    """Parse a page export file by its extension."""
    text = path.read_text(encoding="utf-8", errors="replace")
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        title, blocks = _html_blocks(text)
    elif suffix in (".md", ".markdown"):
        title, blocks = _markdown_blocks(text)
    else:
        title, blocks = None, _text_blocks(text)
    return assemble_page(path, title, blocks)


def is_asset_link(url: str, base: Path | None) -> bool:
    """True for links to media to archive: S3 objects, media files, files of the export."""
    if is_url(url):
        try:
            parts = urlsplit(url)
        except ValueError:  # "http://[unclosed": not a link anything could fetch
            return False
        if parts.scheme.lower() == "s3":
            return True
        if s3_host_match(parts.hostname or "") is not None and parts.path.strip("/"):
            return True
        return looks_like_media_name(parts.path) or (
            is_presigned(url) and bool(parts.path.strip("/"))
        )
    if url.startswith(("#", "mailto:", "tel:")) or re.match(r"^[a-z]+:", url):
        return False
    relative = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if not relative or relative.lower().endswith(PAGE_SUFFIXES):
        return False  # a link to a sub-page of the export
    if base is not None and (base / relative).is_file():
        return True
    return looks_like_media_name(relative)


def assemble_page(path: Path, title: str | None, blocks: list[Block]) -> Page:
    """Give each link its heading and nearby text."""
    page = Page(path=path, title=title)
    heading: str | None = None
    heading_path: list[str] = []
    after_heading = True
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            page.headings.append(block.text)
            # Headings with nothing between them nest (a section and its sub-section).
            heading_path = (
                [*heading_path, block.text] if after_heading and heading else [block.text]
            )
            heading = block.text
            after_heading = True
            continue
        after_heading = False
        if block.kind == "text":
            page.paragraphs.append(block.text)
            continue
        url = block.url or ""
        if url in seen:
            continue
        seen.add(url)
        context = block.context or _nearby_text(blocks, index)
        page.links.append(
            PageLinkItem(
                url=url,
                heading=heading,
                headings=list(heading_path),
                context=context,
                text=block.text or None,
                is_asset=is_asset_link(url, path.parent),
            )
        )
    return page


def _nearby_text(blocks: list[Block], index: int) -> str | None:
    """The text after a link up to the next link or heading; else the text just before it."""
    after: list[str] = []
    for block in blocks[index + 1 :]:
        if block.kind == "link" and (block.context is not None or block.url == blocks[index].url):
            continue  # a link inside the next paragraph (or the same link again)
        if block.kind != "text":
            break
        after.append(block.text)
    if after:
        return "\n\n".join(after)
    before: list[str] = []
    for block in reversed(blocks[:index]):
        if block.kind != "text":
            break
        before.insert(0, block.text)
    return "\n\n".join(before) or None


# -- plain text ---------------------------------------------------------------------------


def is_heading_line(line: str) -> bool:
    """A short line without final punctuation (and not a link)."""
    line = line.strip()
    return (
        0 < len(line) <= HEADING_MAX_CHARS
        and len(line.split()) <= HEADING_MAX_WORDS
        and not line.endswith(_FINAL_PUNCTUATION)
        and not _URL.search(line)
        and any(ch.isalpha() for ch in line)
    )


def _text_blocks(text: str) -> list[Block]:
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    chunks = [chunk for chunk in chunks if chunk]
    blocks: list[Block] = []
    for position, chunk in enumerate(chunks):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if all(_URL.fullmatch(line) for line in lines):
            blocks.extend(Block("link", url=line) for line in lines)
        elif len(lines) == 1 and position < len(chunks) - 1 and is_heading_line(lines[0]):
            blocks.append(Block("heading", lines[0]))
        else:
            paragraph = " ".join(lines)
            blocks.extend(
                Block("link", url=url, context=paragraph) for url in _URL.findall(paragraph)
            )
            blocks.append(Block("text", paragraph))
    return blocks


# -- markdown -----------------------------------------------------------------------------


def _markdown_blocks(text: str) -> tuple[str | None, list[Block]]:
    title: str | None = None
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if not paragraph:
            return
        raw = " ".join(paragraph)
        paragraph.clear()
        links = [(m.group("text"), m.group("url").strip("<>")) for m in _MD_LINK.finditer(raw)]
        rest = _MD_LINK.sub(lambda m: m.group("text"), raw)
        bare = [(None, url) for url in _URL.findall(rest)]
        plain = re.sub(r"[*_`>]+", "", _URL.sub("", rest)).strip(" -–•\t")
        if not plain or plain == " ".join(t for t, _ in links if t).strip():
            blocks.extend(Block("link", text or "", url=url) for text, url in links + bare)
            return
        clean = re.sub(r"[*_`]+", "", rest).lstrip("> -•").strip()
        blocks.extend(
            Block("link", text or "", url=url, context=clean) for text, url in links + bare
        )
        blocks.append(Block("text", clean))

    for line in text.replace("\r\n", "\n").split("\n"):
        match = _MD_HEADING.match(line.strip())
        if match:
            flush()
            heading = re.sub(r"[*_`]+", "", match.group("text")).strip()
            if title is None and len(match.group("marks")) == 1 and not blocks:
                title = heading
            else:
                blocks.append(Block("heading", heading))
        elif not line.strip():
            flush()
        elif line.strip().startswith(("- ", "* ", "+ ")) or re.match(r"^\d+\.\s", line.strip()):
            flush()  # list items are separate blocks
            paragraph.append(line.strip())
        else:
            paragraph.append(line.strip())
    flush()
    return title, blocks


# -- html ---------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p",
    "div",
    "li",
    "figcaption",
    "blockquote",
    "td",
    "th",
    "pre",
    "tr",
    "ul",
    "ol",
    "figure",
    "section",
    "article",
    "header",
    "footer",
    "details",
    "summary",
}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_MEDIA_TAGS = {"img": "src", "video": "src", "audio": "src", "source": "src", "embed": "src"}


class _PageHTMLParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title: str | None = None
        self.page_title: str | None = None
        self._buffer: list[str] = []
        self._pending_links: list[Block] = []
        self._in_title = False
        self._heading: str | None = None
        self._page_title_heading = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in _HEADING_TAGS:
            self._flush()
            self._heading = tag
            self._page_title_heading = "page-title" in values.get("class", "")
        elif tag in _BLOCK_TAGS or tag == "br":
            self._flush()
        if tag == "a" and values.get("href"):
            self._pending_links.append(Block("link", url=values["href"]))
        elif tag in _MEDIA_TAGS and values.get(_MEDIA_TAGS[tag]):
            self._pending_links.append(
                Block("link", values.get("alt", ""), url=values[_MEDIA_TAGS[tag]])
            )

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in _HEADING_TAGS and self._heading:
            text = _squash("".join(self._buffer))
            self._buffer.clear()
            if text:
                if self._page_title_heading or (
                    self.page_title is None and tag == "h1" and not self.blocks
                ):
                    self.page_title = text
                else:
                    self.blocks.append(Block("heading", text))
            self.blocks.extend(self._pending_links)
            self._pending_links.clear()
            self._heading = None
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title = _squash((self.title or "") + data)
        else:
            self._buffer.append(data)

    def _flush(self) -> None:
        if self._heading:
            return
        text = _squash("".join(self._buffer))
        self._buffer.clear()
        link_texts = " ".join(b.text for b in self._pending_links if b.text)
        only_links = bool(self._pending_links) and (
            not text or text == _squash(link_texts) or _URL.fullmatch(text) is not None
        )
        for link in self._pending_links:
            if not only_links:
                link.context = text
            self.blocks.append(link)
        self._pending_links.clear()
        if text and not only_links:
            self.blocks.append(Block("text", text))

    def close(self) -> None:
        super().close()
        self._flush()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _html_blocks(text: str) -> tuple[str | None, list[Block]]:
    parser = _PageHTMLParser()
    parser.feed(text)
    parser.close()
    return parser.page_title or parser.title, parser.blocks
