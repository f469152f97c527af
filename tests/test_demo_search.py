"""The demo's search stage: the keynote is searched for a word spoken in it."""

from __future__ import annotations

import hashlib

from mediaarchive.demo.base import DemoContext
from mediaarchive.demo.search_keynote import search_keynote
from mediaarchive.services.ingest import IngestResult
from tests.fixtures.search import SearchArchive


def _result(name: str, kind: str) -> IngestResult:
    sha256 = hashlib.sha256(name.encode()).hexdigest()
    return IngestResult(
        id=sha256[:12],
        sha256=sha256,
        kind=kind,
        title=name,
        event="Labcamp 4",
        source_url=f"s3://bucket/{name}",
        state="done",
        created=True,
    )


def test_demo_prints_the_keynote_hit_with_its_time(fresh_search_archive: SearchArchive) -> None:
    lines: list[str] = []
    ctx = DemoContext(
        fresh_search_archive.archive,
        echo=lines.append,
        results=[_result("whiteboard", "image"), _result("keynote", "video")],
    )
    search_keynote(ctx)
    output = "\n".join(lines)
    assert '$ mediaarchive search "Innovationslaboren" --source speech' in output
    assert "the best at 0:05–0:09" in output
    assert "Lebenszyklen von »Innovationslaboren« in Deutschland." in output
    assert f"/assets/{fresh_search_archive.ids['keynote']}#t=5.2" in output


def test_demo_without_a_keynote_says_so(fresh_search_archive: SearchArchive) -> None:
    lines: list[str] = []
    search_keynote(DemoContext(fresh_search_archive.archive, echo=lines.append, results=[]))
    assert lines == ["No keynote was ingested: nothing to search."]
