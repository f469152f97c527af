"""Fuzz (Hypothesis) of the parsers that read what users and exports hand in: manifests,
page exports and subtitle files. Whatever the text, the answer is the parsed result or one
of the archive's typed errors (a line on stderr), never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mediaarchive.errors import MediaArchiveError
from mediaarchive.sources.manifest import read_manifest
from mediaarchive.sources.pages import read_page
from mediaarchive.subtitles.importer import parse_subtitles

pytestmark = pytest.mark.faults

#: Examples per parser and format (the counts the closing note reports).
EXAMPLES = 300
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # seeded: the same examples on every run
    suppress_health_check=[HealthCheck.too_slow],
)

#: Pieces of the formats, so the fuzz reaches past the first syntax check.
_MANIFEST_BITS = [
    "url",
    "title",
    "date",
    "speakers",
    "event",
    "assets:",
    "- ",
    "  ",
    ":",
    ",",
    '"',
    "'",
    "\n",
    "[",
    "]",
    "{",
    "}",
    "s3://b/k.mp4",
    "https://x.org/a.png",
    "2024-13",
    "not-a-date",
    "2021-07-13",
    "&a",
    "*a",
    "!!python/object",
    "\t",
    "null",
    "~",
    "1e400",
    "\x00",
    "ä",
]
_PAGE_BITS = [
    "# ",
    "## ",
    "<h1>",
    "</h1>",
    '<a href="',
    '">',
    "</a>",
    "[x](",
    ")",
    "https://",
    "s3-us-west-2.amazonaws.com/b/k.mp4",
    "<title>",
    "</title>",
    "\n",
    "<",
    ">",
    "&amp;",
    "<script>",
    "Labcamp",
    "%20",
    "\r\n",
    "\u2028",
    "ü",
]
_SUBTITLE_BITS = [
    "WEBVTT",
    "\n",
    "\n\n",
    "1",
    "2",
    "00:00:01,000",
    "00:00:02.500",
    " --> ",
    "-->",
    "99:99:99,999",
    "<b>",
    "</b>",
    "NOTE",
    "Hallo Welt",
    "-",
    ":",
    ",",
    ".",
    "\ufeff",
    "\r",
]


def _texts(bits: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=300),
        st.lists(st.sampled_from(bits) | st.text(max_size=8), max_size=60).map("".join),
    )


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".json"])
@FUZZ
@given(text=_texts(_MANIFEST_BITS))
def test_manifest_parser_never_crashes(suffix: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"manifest{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            entries, problems = read_manifest(path)
        except MediaArchiveError as exc:
            assert "manifest" in str(exc) or path.name in str(exc)
            return
    assert all(entry.url.strip() for entry in entries)
    assert all(problem.message for problem in problems)


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
@FUZZ
@given(text=_texts(_PAGE_BITS))
# Found by this test under load (urlsplit raised "Invalid IPv6 URL" out of the parser).
@example(text="# Labcamp\n[Folie](http://[unclosed/talk.mp4) <a href='http://[x/a.mp4'>x</a>")
def test_page_parser_never_crashes(suffix: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"Labcamp{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            page = read_page(path)
        except MediaArchiveError as exc:
            assert str(exc)
            return
    assert all(link.url for link in page.links)


@pytest.mark.parametrize("name", ["talk.srt", "talk.vtt"])
@FUZZ
@given(text=_texts(_SUBTITLE_BITS))
def test_subtitle_parser_never_crashes(name: str, text: str) -> None:
    try:
        fmt, cues = parse_subtitles(text, name)
    except MediaArchiveError as exc:
        assert str(exc)
        return
    assert fmt in ("srt", "vtt") and cues
    assert all(cue.end >= cue.start for cue in cues)
