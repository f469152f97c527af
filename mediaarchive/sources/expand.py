"""Turn what a user names (links, files, folders, manifests, page exports) into asset requests.

Nothing is downloaded here: the result says which assets to fetch, with the event, title and
context each gets, which page links to keep, and which entries could not be used.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mediaarchive.errors import MediaArchiveError, UserError
from mediaarchive.sources.manifest import is_manifest_file, read_manifest
from mediaarchive.sources.pages import Page, is_page_file, read_page
from mediaarchive.sources.urls import Location, is_url, parse_location


@dataclass
class Defaults:
    """What the user gave on the command line (event, title, speakers…)."""

    event: str | None = None
    title: str | None = None
    speakers: list[str] = field(default_factory=list)
    language: str | None = None
    date: str | None = None
    description: str | None = None


@dataclass
class AssetRequest:
    """One asset to fetch and what is known about it before fetching."""

    location: Location
    #: The link as recorded (for a file inside an export zip: ``ZIP!/member``).
    source_url: str
    event: str | None = None
    title: str | None = None
    description: str | None = None
    speakers: list[str] = field(default_factory=list)
    language: str | None = None
    date: str | None = None
    #: The page or manifest that named it, the heading above it and the text near it.
    page: str | None = None
    heading: str | None = None
    context: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PageLinkRequest:
    """A non-asset link on a page (kept, not fetched)."""

    event: str
    url: str
    heading: str | None
    context: str | None


@dataclass
class EventInfo:
    name: str
    date: str | None = None
    source: str | None = None
    description: str | None = None


@dataclass
class Problem:
    """A source or entry that cannot be ingested (one line for the user)."""

    source: str
    message: str


@dataclass
class Expansion:
    assets: list[AssetRequest] = field(default_factory=list)
    page_links: list[PageLinkRequest] = field(default_factory=list)
    events: dict[str, EventInfo] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)


class SourceExpander:
    """Expands sources; owns the temporary folders of unpacked export zips."""

    def __init__(self, defaults: Defaults | None = None) -> None:
        self.defaults = defaults or Defaults()
        self.result = Expansion()
        self._tempdirs: list[Path] = []
        self._seen: set[tuple[str, str | None]] = set()

    def __enter__(self) -> SourceExpander:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for path in self._tempdirs:
            shutil.rmtree(path, ignore_errors=True)
        self._tempdirs.clear()

    def expand(self, sources: list[str]) -> Expansion:
        for source in sources:
            try:
                self._expand_one(source)
            except MediaArchiveError as exc:
                self.result.problems.append(Problem(source, str(exc)))
        return self.result

    def _expand_one(self, source: str) -> None:
        if is_url(source):
            self._add(self._direct(parse_location(source), source, self.defaults.title))
            return
        path = parse_location(source).path
        assert path is not None
        if path.is_dir():
            self._expand_folder(path)
        elif not path.exists():
            raise UserError(f"{source}: no such file or folder")
        else:
            self._expand_file(path, title=self.defaults.title)

    def _expand_file(self, path: Path, *, title: str | None = None) -> None:
        if path.suffix.lower() == ".zip":
            self._expand_zip(path)
        elif is_manifest_file(path):
            self._expand_manifest(path)
        elif is_page_file(path):
            self._expand_page(read_page(path), source_for=None)
        else:
            location = Location("local", str(path.resolve()), path=path.resolve())
            self._add(self._direct(location, str(path.resolve()), title))

    def _direct(self, location: Location, source_url: str, title: str | None) -> AssetRequest:
        """A link or file named directly: the command line's options describe it."""
        d = self.defaults
        return AssetRequest(
            location,
            source_url,
            event=d.event,
            title=title,
            description=d.description,
            speakers=list(d.speakers),
            language=d.language,
            date=d.date,
        )

    def _expand_folder(self, folder: Path) -> None:
        files = sorted(
            p
            for p in folder.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        )
        # Pages and manifests first, so files they link get their context; the rest after.
        linked: set[Path] = set()
        for path in files:
            if is_page_file(path) or is_manifest_file(path) or path.suffix.lower() == ".zip":
                before = len(self.result.assets)
                self._expand_file(path)
                linked.update(
                    a.location.path.resolve()
                    for a in self.result.assets[before:]
                    if a.location.path is not None
                )
        for path in files:
            if (
                not (is_page_file(path) or is_manifest_file(path) or path.suffix.lower() == ".zip")
                and path.resolve() not in linked
            ):
                self._expand_file(path)

    def _expand_manifest(self, path: Path) -> None:
        entries, problems = read_manifest(path)
        self.result.problems.extend(Problem(str(path), p.message) for p in problems)
        d = self.defaults
        for entry in entries:
            try:
                location = parse_location(entry.url, base=path.parent)
            except MediaArchiveError as exc:
                self.result.problems.append(
                    Problem(str(path), f"{path.name} line {entry.line}: {exc}")
                )
                continue
            source_url = entry.url if is_url(entry.url) else str(location.path)
            event = entry.event or d.event
            if event:
                self._event(event, date=entry.date or d.date, source=str(path))
            self._add(
                AssetRequest(
                    location,
                    source_url,
                    event=event,
                    title=entry.title or d.title,
                    description=entry.description or d.description,
                    speakers=entry.speakers or list(d.speakers),
                    language=entry.language or d.language,
                    date=entry.date or d.date,
                    page=str(path),
                    extra={**entry.extra, "manifest_line": entry.line},
                )
            )

    def _expand_page(
        self, page: Page, *, source_for: tuple[Path, Path] | None, fallback_name: str | None = None
    ) -> None:
        """Add a page's asset links and page links.

        ``source_for`` is (unpack folder, zip file) for pages inside an export zip, so that
        files of the export are recorded as ``ZIP!/member``.
        """
        self.result.pages.append(page)
        d = self.defaults
        event = d.event or page.title or fallback_name or page.name
        page_ref = str(page.path if source_for is None else _zip_ref(page.path, *source_for))
        self._event(event, date=d.date, source=page_ref, description=None)
        for link in page.links:
            if not link.is_asset:
                self.result.page_links.append(
                    PageLinkRequest(event, link.url, link.heading, link.context)
                )
                continue
            try:
                location = parse_location(link.url, base=page.path.parent)
            except MediaArchiveError as exc:
                self.result.problems.append(Problem(page_ref, str(exc)))
                continue
            if location.path is not None:
                source_url = str(
                    location.path.resolve()
                    if source_for is None
                    else _zip_ref(location.path, *source_for)
                )
            else:
                source_url = link.url
            self._add(
                AssetRequest(
                    location,
                    source_url,
                    event=event,
                    title=link.heading
                    or (link.text if link.text and link.text != link.url else None)
                    or location.filename,
                    description=link.context,
                    speakers=list(d.speakers),
                    language=d.language,
                    date=d.date,
                    page=page_ref,
                    heading=link.heading,
                    context=link.context,
                    extra={"page": page_ref, "page_title": page.title, "headings": link.headings},
                )
            )

    def _expand_zip(self, path: Path) -> None:
        target = Path(tempfile.mkdtemp(prefix="mediaarchive-export-"))
        self._tempdirs.append(target)
        _safe_unzip(path, target)
        # Notion wraps big exports in a zip of zips ("Part-1.zip"): unpack those too.
        for inner in sorted(target.rglob("*.zip")):
            _safe_unzip(inner, inner.with_suffix(""))
            inner.unlink()
        pages = sorted(
            p
            for p in target.rglob("*")
            if p.is_file() and is_page_file(p) and not p.name.startswith(".")
        )
        if not pages:
            raise UserError(f"{path}: the zip holds no page export (.md, .html or .txt)")
        for page_path in pages:
            self._expand_page(
                read_page(page_path),
                source_for=(target, path.resolve()),
                fallback_name=path.stem if len(pages) == 1 else None,
            )

    def _event(
        self,
        name: str,
        *,
        date: str | None = None,
        source: str | None = None,
        description: str | None = None,
    ) -> None:
        if name not in self.result.events:
            self.result.events[name] = EventInfo(name, date, source, description)

    def _add(self, request: AssetRequest) -> None:
        if request.event:
            self._event(request.event, date=request.date)
        key = (request.source_url, request.event)
        if key in self._seen:
            return
        self._seen.add(key)
        self.result.assets.append(request)


def _zip_ref(path: Path, unpacked: Path, zip_file: Path) -> str:
    try:
        member = path.resolve().relative_to(unpacked.resolve()).as_posix()
    except ValueError:
        return str(path)
    return f"{zip_file}!/{member}"


def _safe_unzip(path: Path, target: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                destination = (target / member.filename).resolve()
                if (
                    not str(destination).startswith(str(target.resolve()) + os.sep)
                    and destination != target.resolve()
                ):
                    raise UserError(
                        f"{path}: refuses to unpack {member.filename!r} (points outside the export)"
                    )
            archive.extractall(target)
    except zipfile.BadZipFile as exc:
        raise UserError(f"{path}: not a valid zip file ({exc}); download the export again") from exc
