"""The views of the archive: one definition each, the same keys for the CLI and the web."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest

from mediaarchive.archive import find_asset
from mediaarchive.config import Settings
from mediaarchive.search import SearchHit
from mediaarchive.services import Archive, media, pages, views
from mediaarchive.vocabulary import ASSET_KINDS, HIT_SOURCES
from tests.fixtures.web import WebArchive

STATUS_KEYS = [
    "id",
    "sha256",
    "kind",
    "title",
    "event",
    "events",
    "state",
    "steps",
    "damaged",
    "revision",
    "review",
    "visibility",
    "withdrawn",
]
STEP_KEYS = ["name", "state", "attempts", "error", "seconds", "worker"]


@pytest.fixture
def archive(web_archive: WebArchive) -> Iterator[Archive]:
    opened = Archive(Settings.load(home=web_archive.home))
    yield opened
    opened.close()


def test_asset_lists_are_views_with_the_status_keys(
    archive: Archive, web_archive: WebArchive
) -> None:
    with views.read_session(archive) as session:
        listed = views.list_assets(session)
        talks = views.list_assets(session, kind="video", event="Labcamp 4")
    assert all(isinstance(asset, views.AssetSummary) for asset in listed)
    assert [asset.id for asset in listed] == [
        web_archive.talk_id,
        web_archive.xss_id,
        web_archive.image_id,
    ]
    assert {asset.id for asset in talks} == {web_archive.talk_id, web_archive.xss_id}
    document = views.asset_summary(listed[0])
    assert list(document) == STATUS_KEYS
    assert document["event"] == "Labcamp 4" and document["events"] == ["Labcamp 4"]
    # The talk's transcript as made, nobody has checked it yet.
    assert (document["revision"], document["review"]) == (1, "machine")
    # What leaves services is plain data: it survives the session and serialises as is.
    assert json.loads(json.dumps(document)) == document


def test_show_json_is_the_same_from_an_id_a_view_or_a_row(
    archive: Archive, web_archive: WebArchive
) -> None:
    by_id = views.asset_detail(archive, web_archive.talk_id)
    with views.read_session(archive) as session:
        summary = views.list_assets(session, kind="video")[0]
        row = find_asset(session, web_archive.talk_id)
        by_row = views.asset_detail(archive, row)
    assert by_id == views.asset_detail(archive, summary) == by_row
    assert list(by_id)[: len(STATUS_KEYS)] == STATUS_KEYS
    segments = by_id["transcript"]["segments"]
    assert [s["text"] for s in segments] == [text for _s, _e, text in web_archive.segments]
    assert list(segments[0]["words"][0]) == ["start", "end", "word", "probability"]


def test_transcript_json_is_one_document_for_show_the_api_and_the_download(
    archive: Archive, web_archive: WebArchive
) -> None:
    shown = views.asset_detail(archive, web_archive.talk_id)["transcript"]
    with views.read_session(archive) as session:
        current = views.current_transcript(session, web_archive.talk_id)
        download = media.transcript_file(session, web_archive.talk_id, "json")
    assert current == shown == json.loads(download.text)
    assert download.filename.endswith(f"-{web_archive.talk_id}.transcript.json")


def test_event_views(archive: Archive, web_archive: WebArchive) -> None:
    with views.read_session(archive) as session:
        events = views.list_events(session)
        detail = views.event_detail(session, web_archive.event_id)
        summaries = views.event_summaries(session)
    assert [event.to_json() for event in events] == summaries
    assert summaries == [
        {
            "name": "Labcamp 4",
            "date": "2026-05-12",
            "assets": 3,
            "source": None,
            "description": "Ein Tag über offene Daten & <Prototypen>.",
            "page_links": [],
        }
    ]
    assert [asset["id"] for asset in detail.to_json()["assets"]] == [
        web_archive.talk_id,
        web_archive.xss_id,
        web_archive.image_id,
    ]
    assert detail.previews == {web_archive.talk_id: "poster", web_archive.image_id: "thumbnail"}


def test_asset_page_view_has_no_rows(archive: Archive, web_archive: WebArchive) -> None:
    with views.read_session(archive) as session:
        image = pages.asset_page(session, web_archive.image_id)
        talk = pages.asset_page(session, web_archive.talk_id)
    assert image.asset.label == "Programm-Folie" and not image.asset.timed
    assert "Innovationslabor Berlin" in image.image_texts[0].text
    assert image.rendition("thumbnail") is not None and image.rendition("proxy") is None
    assert talk.asset.timed and [line.text for line in talk.segments] == [
        text for _s, _e, text in web_archive.segments
    ]
    for record in (image, talk):
        assert dataclasses.is_dataclass(record) and json.dumps(dataclasses.asdict(record))


def test_the_web_search_schema_is_the_search_hit_dataclass() -> None:
    from mediaarchive.web.schemas import SearchHit as HitDocument

    assert list(HitDocument.model_fields) == [f.name for f in dataclasses.fields(SearchHit)]
    schema = HitDocument.model_json_schema()
    assert schema["$defs"]["HitSource"]["enum"] == list(HIT_SOURCES)
    assert schema["$defs"]["AssetKind"]["enum"] == list(ASSET_KINDS)
    assert "matches" not in schema["required"]
