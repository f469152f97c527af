"""Did you mean on the web: ``/api/suggest`` and the search page's "Meinten Sie" link, for
the audience that is looking (anonymous visitors only get words of public assets)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.services import accounts, editing
from mediaarchive.web.app import create_app
from tests.a11y import axe_violations
from tests.fixtures.search import add_asset
from tests.fixtures.web import WebArchive, screenshot


@pytest.fixture
def archive(home: Path) -> Iterator[Archive]:
    """A public talk on the citizens' budget and an internal one on the innovation lab."""
    archive = Archive(Settings.load(home=home))
    with archive.session() as session:
        public = add_asset(
            session,
            "haushalt",
            title="Der Bürgerhaushalt",
            segments=["Der Bürgerhaushalt gehört allen.", "Beim Bürgerhaushalt stimmen alle ab."],
        )
        add_asset(
            session,
            "labor",
            title="Intern: Innovationslabor",
            segments=["Das Innovationslabor plant den Umzug."],
        )
        public_id = public.short_id
    editing.edit_asset(archive, public_id, {"visibility": "public"}, by="test")
    yield archive
    archive.close()


def test_api_suggest_gives_a_list_of_words(archive: Archive) -> None:
    client = TestClient(create_app(archive), base_url="http://127.0.0.1")  # no accounts yet
    assert client.get("/api/suggest", params={"q": "Innovatonslabor"}).json() == [
        "Innovationslabor"
    ]
    assert client.get("/api/suggest", params={"q": "Bürgerhaushlt"}).json() == ["Bürgerhaushalt"]
    assert client.get("/api/suggest", params={"q": "Innovationslabor"}).json() == []
    for bad in ["", "und", "x" * 200, "COVID-19-Pandemie", "Лаборатория"]:
        response = client.get("/api/suggest", params={"q": bad})
        assert response.status_code == 200 and response.json() == []
    assert client.get("/api/suggest", params={"q": "a" * 501}).status_code == 422


def test_anonymous_visitors_are_not_offered_words_of_internal_assets(archive: Archive) -> None:
    accounts.add_user(archive, "anna", "viewer", "Stadtlabor-2024")
    token = accounts.issue_token(archive, "anna")
    client = TestClient(create_app(archive), base_url="http://127.0.0.1")
    assert client.get("/api/suggest", params={"q": "Innovatonslabor"}).json() == []
    assert client.get("/api/suggest", params={"q": "Bürgerhaushlt"}).json() == ["Bürgerhaushalt"]
    page = client.get("/", params={"q": "Innovatonslabor"}).text
    assert "Meinten Sie" not in page and "Innovationslabor" not in page
    signed = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/suggest", params={"q": "Innovatonslabor"}, headers=signed).json() == [
        "Innovationslabor"
    ]


def test_the_search_page_links_the_suggestion_with_the_filters_kept(archive: Archive) -> None:
    client = TestClient(create_app(archive), base_url="http://127.0.0.1")
    page = client.get("/", params={"q": "Bürgerhaushlt", "kind": "video"}).text
    assert "Meinten Sie:" in page
    link = page.split('<p class="suggestion">', 1)[1].split("</p>", 1)[0]
    href = link.split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(href).query) == {"q": ["Bürgerhaushalt"], "kind": ["video"]}
    assert ">Bürgerhaushalt</a>?" in link
    followed = client.get(href).text
    assert "Meinten Sie" not in followed and 'class="hit"' in followed


@pytest.mark.slow
def test_the_suggestion_link_runs_the_search_in_the_browser(
    page,  # type: ignore[no-untyped-def]
    web_url: str,
    web_archive: WebArchive,
) -> None:
    page.goto(web_url + "/")
    page.fill("#q", "Innovatonslabor")
    page.keyboard.press("Enter")
    suggestion = page.locator("p.suggestion")
    suggestion.wait_for()
    assert suggestion.inner_text() == "Meinten Sie: Innovationslabor?"
    assert axe_violations(page) == []
    screenshot(page, "search-did-you-mean")
    suggestion.locator("a").click()
    page.wait_for_selector("ol.hits")
    assert page.input_value("#q") == "Innovationslabor"
    assert page.locator("li.hit mark").first.inner_text().lower() == "innovationslabor"
    assert page.locator("p.suggestion").count() == 0
    assert axe_violations(page) == []
