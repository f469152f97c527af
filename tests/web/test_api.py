"""The JSON API against its own OpenAPI schema, over HTTP to the uvicorn-served app."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from tests.fixtures.web import WebArchive


@pytest.fixture(scope="module")
def openapi(web_url: str) -> dict[str, Any]:
    return httpx.get(f"{web_url}/openapi.json").json()


def validate(openapi: dict[str, Any], path: str, response: httpx.Response) -> Any:
    """Check a 200 response's JSON against the schema the API publishes for it."""
    schema = openapi["paths"][path]["get"]["responses"][str(response.status_code)]
    body_schema = schema["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**body_schema, "components": openapi["components"]})
    document = response.json()
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, f"{path}: {errors[0].message} at {list(errors[0].absolute_path)}"
    return document


def test_schema_documents_the_api(openapi: dict[str, Any]) -> None:
    paths = set(openapi["paths"])
    assert {
        "/api/search",
        "/api/suggest",
        "/api/assets",
        "/api/assets/{asset_id}",
        "/api/assets/{asset_id}/transcript",
        "/api/events",
        "/api/events/{event_id}",
        "/assets/{asset_id}/proxy",
        "/assets/{asset_id}/original",
    } <= paths
    # Writes are only the curation operations (each needs an account: test_editing.py).
    writes = {
        (path, method)
        for path, operations in openapi["paths"].items()
        for method in operations
        if method != "get"
    }
    assert writes == {
        ("/api/assets/{asset_id}", "patch"),
        ("/api/assets/{asset_id}/transcript/revisions", "post"),
        ("/api/assets/{asset_id}/review", "post"),
    }
    assert not any(path == "/" or path.endswith("{asset_id}}") for path in paths)


def test_search_answers_with_hits_that_match_the_schema(
    web_url: str, openapi: dict[str, Any], web_archive: WebArchive
) -> None:
    response = httpx.get(f"{web_url}/api/search", params={"q": "Innovationslabor"})
    assert response.status_code == 200
    hits = validate(openapi, "/api/search", response)
    speech = [hit for hit in hits if hit["source"] == "speech"]
    assert speech and speech[0]["asset_id"] == web_archive.talk_id
    assert "<mark>" in speech[0]["snippet"]
    assert speech[0]["link"].startswith(f"/assets/{web_archive.talk_id}#t=")
    spoken_at = next(s for s, _e, text in web_archive.segments if "Innovationslabor" in text)
    assert abs(speech[0]["start"] - spoken_at) < 0.5
    filtered = httpx.get(
        f"{web_url}/api/search", params={"q": "Innovationslabor", "kind": "image"}
    ).json()
    assert [hit["asset_id"] for hit in filtered] == [web_archive.image_id]
    assert httpx.get(f"{web_url}/api/search", params={"q": "   "}).json() == []


def test_assets_events_and_transcripts_match_the_schema(
    web_url: str, openapi: dict[str, Any], web_archive: WebArchive
) -> None:
    listing = validate(openapi, "/api/assets", httpx.get(f"{web_url}/api/assets"))
    assert {item["id"] for item in listing} == {
        web_archive.talk_id,
        web_archive.xss_id,
        web_archive.image_id,
    }
    detail = validate(
        openapi, "/api/assets/{asset_id}", httpx.get(f"{web_url}/api/assets/{web_archive.talk_id}")
    )
    assert detail["kind"] == "video" and detail["event"] == "Labcamp 4"
    assert len(detail["transcript"]["segments"]) == len(web_archive.segments)
    # Words as Whisper gives them: each with its leading space, joined they are the text.
    assert detail["transcript"]["segments"][0]["words"][0]["word"] == " Willkommen"
    for segment in detail["transcript"]["segments"]:
        assert "".join(w["word"] for w in segment["words"]).strip() == segment["text"]
    proxy = next(r for r in detail["renditions"] if r["kind"] == "proxy")
    assert proxy["url"] == f"/assets/{web_archive.talk_id}/proxy"
    assert proxy["path"] is None  # the server's disk layout stays private
    assert detail["original"]["path"] is None
    assert detail["original"]["url"] == f"/assets/{web_archive.talk_id}/original"
    transcript = validate(
        openapi,
        "/api/assets/{asset_id}/transcript",
        httpx.get(f"{web_url}/api/assets/{web_archive.talk_id}/transcript"),
    )
    assert [s["text"] for s in transcript["segments"]] == [t for _s, _e, t in web_archive.segments]
    events = validate(openapi, "/api/events", httpx.get(f"{web_url}/api/events"))
    assert events == [
        {"id": web_archive.event_id, "name": "Labcamp 4", "date": "2026-05-12", "assets": 3}
    ]
    event = validate(
        openapi, "/api/events/{event_id}", httpx.get(f"{web_url}/api/events/{web_archive.event_id}")
    )
    assert len(event["assets"]) == 3
    image = httpx.get(f"{web_url}/api/assets/{web_archive.image_id}").json()
    assert "Innovationslabor Berlin" in image["ocr"][0]["text"]


def test_errors_are_json_with_the_right_status(web_url: str, web_archive: WebArchive) -> None:
    unknown = httpx.get(f"{web_url}/api/assets/abcdef0123")
    assert unknown.status_code == 404
    assert "abcdef0123" in unknown.json()["detail"]
    assert httpx.get(f"{web_url}/api/assets/not-an-id").status_code == 422
    assert httpx.get(f"{web_url}/api/events/424242").status_code == 404
    no_transcript = httpx.get(f"{web_url}/api/assets/{web_archive.image_id}/transcript")
    assert no_transcript.status_code == 404
    assert httpx.get(f"{web_url}/api/search", params={"q": "x", "limit": 0}).status_code == 422
    # No method but the documented writes, and those not without an account.
    for method in ("POST", "PUT", "DELETE"):
        response = httpx.request(method, f"{web_url}/api/assets/{web_archive.talk_id}")
        assert response.status_code == 405
    anonymous = httpx.patch(f"{web_url}/api/assets/{web_archive.talk_id}", json={"title": "x"})
    assert anonymous.status_code == 401 and "log in" in anonymous.json()["detail"]


def test_api_conforms_to_its_schema(web_url: str) -> None:
    """Schemathesis: generated requests never crash the API and answers match the schema.

    (Its pytest plugin cannot take a live-server fixture here, so the operations are
    walked one by one with Hypothesis.)
    """
    schema = schemathesis.openapi.from_url(f"{web_url}/openapi.json").include(path_regex="^/api/")
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def conforms(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate()

        conforms()
        checked += 1
    assert checked == 10
