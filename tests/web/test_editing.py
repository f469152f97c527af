"""Editing in the browser and over the JSON API: a line corrected while the video plays shows
in the page, the subtitles and search; metadata, review and replace by form; conflicts; bad
input; every route checked for every role. (A fresh archive: the shared one stays as built.)"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from mediaarchive import services
from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.services import accounts, editing
from mediaarchive.web.app import create_app
from mediaarchive.web.server import BackgroundServer
from tests.a11y import axe_violations
from tests.fixtures.web import WebArchive, build_web_archive, screenshot

PASSWORD = "Stadtlabor-2024"


@pytest.fixture(scope="module")
def edit_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebArchive, Archive]]:
    base = tmp_path_factory.mktemp("edit")
    info = build_web_archive(base / "home", base / "work")
    archive = Archive(Settings.load(home=info.home))
    for name, role in (("vera", "viewer"), ("anna", "editor"), ("adam", "admin")):
        accounts.add_user(archive, name, role, PASSWORD)
    # Anonymous visitors (httpx below) see the talk: it is public; the rest stays internal.
    editing.edit_asset(archive, info.talk_id, {"visibility": "public"}, by="test")
    yield info, archive
    archive.close()


@pytest.fixture(scope="module")
def edit_url(edit_archive: tuple[WebArchive, Archive]) -> Iterator[str]:
    with BackgroundServer(edit_archive[1], "127.0.0.1", 0) as server:
        yield server.url.rstrip("/")


def client_for(archive: Archive, name: str | None) -> TestClient:
    """A client logged in as ``name`` (None: anonymous)."""
    client = TestClient(create_app(archive), base_url="http://127.0.0.1")
    if name:
        token = form_token(client.get("/login").text)
        response = client.post(
            "/login",
            data={"username": name, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
    return client


def form_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def page_csrf(client: TestClient, asset_id: str) -> str:
    match = re.search(r'data-csrf="([^"]+)"', client.get(f"/assets/{asset_id}").text)
    assert match, "an editor's talk page carries the CSRF token"
    return match.group(1)


def segments(client: TestClient, asset_id: str) -> list[dict]:
    return client.get(f"/api/assets/{asset_id}/transcript").json()["segments"]


def log_in(page, url: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login")
    page.fill("#login-username", name)
    page.fill("#login-password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("form.account")


def test_a_line_corrected_while_the_video_plays_shows_everywhere(
    edit_archive: tuple[WebArchive, Archive], edit_url: str, page
) -> None:  # type: ignore[no-untyped-def]
    info, _ = edit_archive
    log_in(page, edit_url, "anna")
    page.goto(f"{edit_url}/assets/{info.talk_id}")
    assert axe_violations(page) == []
    page.evaluate(
        "() => { const v = document.getElementById('player'); v.muted = true; v.play(); }"
    )
    page.click("#edit-toggle")
    assert page.is_visible("#key-legend")
    # Low-confidence words are marked for the eye ('geht' was heard at 0.72).
    assert "geht" in page.locator("#transcript li").first.locator("mark.low").all_inner_texts()
    assert axe_violations(page) == []
    second = page.locator("#transcript li").nth(1)
    second.locator("a.line").click()
    field = second.locator("input.line-input")
    assert field.input_value() == info.segments[1][2]
    field.fill("Wir zeigen zuerst, wie Archive ihre Videos erschließen.")
    field.press("Enter")
    # Saved, and the next line is open.
    page.wait_for_selector("#transcript li:nth-child(3) input.line-input")
    assert page.inner_text("#edit-status") == "Gespeichert."
    assert page.evaluate("() => !document.getElementById('player').paused")
    screenshot(page, "editor")
    page.keyboard.press("Escape")
    page.reload()
    assert "ihre Videos erschließen." in page.inner_text("#transcript")
    vtt = httpx.get(f"{edit_url}/assets/{info.talk_id}/subtitles.vtt").text
    assert "erschließen" in vtt and "beschreiben" not in vtt
    found = httpx.get(f"{edit_url}/api/search", params={"q": "erschließen"}).json()
    assert [hit["asset_id"] for hit in found] == [info.talk_id]
    assert httpx.get(f"{edit_url}/api/search", params={"q": "beschreiben"}).json() == []


def test_keyboard_only_and_phone_width(
    edit_archive: tuple[WebArchive, Archive], edit_url: str, page
) -> None:  # type: ignore[no-untyped-def]
    info, _ = edit_archive
    log_in(page, edit_url, "anna")
    page.goto(f"{edit_url}/assets/{info.talk_id}")
    page.focus("#edit-toggle")
    page.keyboard.press("Enter")  # editing on; the first line has the focus
    assert page.evaluate("() => document.activeElement.classList.contains('line')")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # third line
    page.keyboard.press("Enter")
    field = page.locator("#transcript li").nth(2).locator("input.line-input")
    assert field.is_visible()
    field.fill("etwas ganz anderes")
    page.keyboard.press("Escape")  # cancelled: nothing saved, the line is back
    assert page.locator("input.line-input").count() == 0
    assert info.segments[2][2] in page.inner_text("#transcript")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.click("#edit-toggle")
    box = page.locator("#transcript").bounding_box()
    assert box is not None and box["width"] <= 390
    screenshot(page, "editor-phone")


def test_metadata_review_replace_and_history_by_form(
    edit_archive: tuple[WebArchive, Archive], edit_url: str, page
) -> None:  # type: ignore[no-untyped-def]
    info, _ = edit_archive
    log_in(page, edit_url, "anna")
    page.goto(f"{edit_url}/assets/{info.talk_id}/edit")
    assert axe_violations(page) == []
    page.fill("#f-title", "Keynote: <b>Innovationslabore</b>")
    page.fill("#f-speakers", "Dr. Anna Beispiel\nJürgen Müller")
    page.fill("#f-date", "2021-07-13")
    page.click("form.edit-form button[type=submit]")
    assert page.inner_text("p.notice") == "Gespeichert."
    page.fill("#f-old", "Labcamp")
    page.fill("#f-new", "Labcamp 4")
    page.click("form.replace-form button")
    assert "1 Stelle(n) ersetzt." in page.inner_text("p.notice")
    page.click("form.review-form button[value=approve]")
    assert page.inner_text("p.notice") == "Freigegeben."
    history = page.inner_text("ol.history")
    assert "anna" in history and "title" in history and "review" in history
    screenshot(page, "edit-page")
    shown = httpx.get(f"{edit_url}/api/assets/{info.talk_id}").json()
    assert shown["title"] == "Keynote: <b>Innovationslabore</b>"
    assert shown["speakers"] == ["Dr. Anna Beispiel", "Jürgen Müller"]
    assert shown["transcript"]["review"] == "approved"
    # The title is text everywhere (the page escapes it).
    talk = httpx.get(f"{edit_url}/assets/{info.talk_id}").text
    assert "<b>Innovationslabore</b>" not in talk and "&lt;b&gt;Innovationslabore" in talk
    bad = page.goto(f"{edit_url}/assets/{info.talk_id}/edit")
    assert bad is not None
    page.fill("#f-date", "2021-13-45")
    page.click("form.edit-form button[type=submit]")
    assert "date" in page.inner_text("p.error-message").lower()
    assert httpx.get(f"{edit_url}/api/assets/{info.talk_id}").json()["date"] == "2021-07-13"


def test_api_writes_with_token_conflicts_and_bad_input(
    edit_archive: tuple[WebArchive, Archive],
) -> None:
    info, archive = edit_archive
    token = accounts.issue_token(archive, "anna")
    viewer = accounts.issue_token(archive, "vera")
    api = TestClient(create_app(archive), base_url="http://127.0.0.1")
    auth = {"Authorization": f"Bearer {token}"}
    path = f"/api/assets/{info.talk_id}/transcript/revisions"
    line = segments(api, info.talk_id)[3]
    first = api.post(
        path,
        json={"segments": [{"segment": line["id"], "text": "Danach: Untertitel."}]},
        headers=auth,
    )
    assert first.status_code == 200, first.text
    saved = first.json()
    assert saved["changed"] == 1 and saved["segments"][0]["text"] == "Danach: Untertitel."
    # The same version read by a second browser: refused, with the newer text.
    stale = api.post(
        path, json={"segments": [{"segment": line["id"], "text": "Anders."}]}, headers=auth
    )
    assert stale.status_code == 409
    assert stale.json()["text"] == "Danach: Untertitel."
    assert stale.json()["segment"] == saved["segments"][0]["segment"]
    # A different line is no conflict.
    other = segments(api, info.talk_id)[4]
    ok = api.post(
        path, json={"segments": [{"segment": other["id"], "text": "Vielen Dank!"}]}, headers=auth
    )
    assert ok.status_code == 200
    before = segments(api, info.talk_id)
    refused = {
        "viewer": api.post(
            path,
            json={"segments": [{"segment": other["id"], "text": "x"}]},
            headers={"Authorization": f"Bearer {viewer}"},
        ),
        "anonymous": api.post(path, json={"segments": [{"segment": other["id"], "text": "x"}]}),
        "forged token": api.post(
            path,
            json={"segments": [{"segment": other["id"], "text": "x"}]},
            headers={"Authorization": "Bearer forged"},
        ),
        "long line": api.post(
            path,
            json={
                "segments": [
                    {"segment": ok.json()["segments"][0]["segment"], "text": "x" * 100_000}
                ]
            },
            headers=auth,
        ),
        "unknown segment": api.post(
            path, json={"segments": [{"segment": 999999, "text": "x"}]}, headers=auth
        ),
        "empty": api.post(path, json={"segments": []}, headers=auth),
    }
    assert {name: r.status_code for name, r in refused.items()} == {
        "viewer": 403,
        "anonymous": 401,
        "forged token": 401,
        "long line": 422,
        "unknown segment": 404,
        "empty": 422,
    }
    assert "editor" in refused["viewer"].json()["detail"]
    assert segments(api, info.talk_id) == before
    # Script in a line is text in the page and escaped in the subtitles.
    current = segments(api, info.talk_id)[0]
    evil = "<script>alert(1)</script> & <b>fett</b>"
    assert (
        api.post(
            path, json={"segments": [{"segment": current["id"], "text": evil}]}, headers=auth
        ).status_code
        == 200
    )
    page = api.get(f"/assets/{info.talk_id}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    vtt = api.get(f"/assets/{info.talk_id}/subtitles.vtt").text
    assert "<script>" not in vtt and "&lt;script&gt;" in vtt
    # Metadata by PATCH, checked as on the command line.
    patched = api.patch(f"/api/assets/{info.talk_id}", json={"date": "2022-02-30"}, headers=auth)
    assert patched.status_code == 400 and "date" in patched.json()["detail"]
    good = api.patch(f"/api/assets/{info.talk_id}", json={"language": "de"}, headers=auth)
    assert good.status_code == 200


def test_browser_writes_need_the_csrf_token(edit_archive: tuple[WebArchive, Archive]) -> None:
    info, archive = edit_archive
    client = client_for(archive, "anna")
    path = f"/api/assets/{info.talk_id}/transcript/revisions"
    line = segments(client, info.talk_id)[2]
    body = {"segments": [{"segment": line["id"], "text": "Im Labor der Stadt."}]}
    assert client.post(path, json=body).status_code == 403
    assert client.post(path, json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    good = client.post(path, json=body, headers={"X-CSRF-Token": page_csrf(client, info.talk_id)})
    assert good.status_code == 200
    form = client.post(f"/assets/{info.talk_id}/edit", data={"title": "Ohne Token"})
    assert form.status_code == 403
    assert client.get(f"/api/assets/{info.talk_id}").json()["title"] != "Ohne Token"


def route_cases(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every (method, path) the app serves, with ids filled in."""
    cases = []

    def walk(routes) -> None:  # type: ignore[no-untyped-def]
        for route in routes:
            inner = getattr(route, "original_router", None)  # an included router
            if inner is not None:
                walk(inner.routes)
                continue
            methods = getattr(route, "methods", None) or {"GET"}
            for method in sorted(methods - {"HEAD"}):
                cases.append((method, route.path))

    walk(app.routes)
    return cases


#: What each route lets each role do. A route missing here fails the test: decide its rule.
#: "read": everyone may; "write": editors and admins (anonymous 401, viewer 403).
RULES = {
    ("GET", "/openapi.json"): "read",
    ("GET", "/docs"): "read",
    ("GET", "/login"): "read",
    ("POST", "/login"): "login",
    ("POST", "/logout"): "logout",
    ("GET", "/assets/{asset_id}/edit"): "edit-page",
    ("POST", "/assets/{asset_id}/edit"): "form",
    ("POST", "/assets/{asset_id}/review"): "form",
    ("POST", "/assets/{asset_id}/replace"): "form",
    ("POST", "/assets/{asset_id}/withdraw"): "form",
    ("PATCH", "/api/assets/{asset_id}"): "write",
    ("POST", "/api/assets/{asset_id}/transcript/revisions"): "write",
    ("POST", "/api/assets/{asset_id}/review"): "write",
    ("GET", "/"): "read",
    ("GET", "/events/{event_id}"): "read",
    ("GET", "/assets/{asset_id}"): "read",
    ("GET", "/api/search"): "read",
    ("GET", "/api/suggest"): "read",
    ("GET", "/api/assets"): "read",
    ("GET", "/api/assets/{asset_id}"): "read",
    ("GET", "/api/assets/{asset_id}/transcript"): "read",
    ("GET", "/api/events"): "read",
    ("GET", "/api/events/{event_id}"): "read",
    ("GET", "/assets/{asset_id}/original"): "read",
    ("GET", "/assets/{asset_id}/proxy"): "read",
    ("GET", "/assets/{asset_id}/poster"): "read",
    ("GET", "/assets/{asset_id}/thumbnail"): "read",
    ("GET", "/assets/{asset_id}/slides/{label}"): "read",
    ("GET", "/assets/{asset_id}/subtitles.{fmt}"): "read",
    ("GET", "/assets/{asset_id}/transcript.{fmt}"): "read",
}


def test_every_route_has_a_rule_for_every_role(edit_archive: tuple[WebArchive, Archive]) -> None:
    info, archive = edit_archive
    app = create_app(archive)
    served = {
        case for case in route_cases(app) if not case[1].startswith(("/static", "/docs-static"))
    }
    assert served == set(RULES), f"routes without a rule: {served - set(RULES)}"
    values = {
        "asset_id": info.talk_id,
        "event_id": str(info.event_id),
        "fmt": "vtt",
        "label": "0",
    }
    expected = {
        # anonymous, viewer, editor, admin — for a write without any body or token.
        "read": (None, None, None, None),
        "login": (403, 403, 403, 403),  # no CSRF token
        "logout": (403, 403, 403, 403),
        "edit-page": (303, 403, 200, 200),
        "form": (403, 403, 403, 403),  # no CSRF token: refused before anything else
        "write": (401, 403, 403, 403),  # no X-CSRF-Token from a browser session
    }
    clients = {name: client_for(archive, name) for name in (None, "vera", "anna", "adam")}
    for (method, path), rule in RULES.items():
        url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
        for (name, client), want in zip(clients.items(), expected[rule], strict=True):
            response = client.request(method, url, follow_redirects=False)
            if want is None:
                assert response.status_code < 500 and response.status_code not in (401, 403), (
                    method,
                    path,
                    name,
                    response.status_code,
                )
            else:
                assert response.status_code == want, (method, path, name, response.status_code)
    # With a token, a write's role decides.
    tokens = {name: accounts.issue_token(archive, name) for name in ("vera", "anna", "adam")}
    codes = {
        name: clients[None]
        .post(
            f"/api/assets/{info.talk_id}/review",
            json={"action": "start"},
            headers={"Authorization": f"Bearer {token}"},
        )
        .status_code
        for name, token in tokens.items()
    }
    assert codes["vera"] == 403 and codes["anna"] in (200, 400) and codes["adam"] in (200, 400)
    assert json.loads(clients["anna"].get(f"/api/assets/{info.talk_id}").text)["id"] == info.talk_id


def test_edit_page_asks_anonymous_visitors_to_log_in(
    edit_archive: tuple[WebArchive, Archive],
) -> None:
    info, archive = edit_archive
    response = client_for(archive, None).get(f"/assets/{info.talk_id}/edit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/assets/{info.talk_id}/edit"
    talk = client_for(archive, "vera").get(f"/assets/{info.talk_id}").text
    assert "edit-toggle" not in talk and "editor.js" not in talk


def test_withdraw_in_the_browser_and_the_asset_vanishes_for_anonymous_visitors(
    edit_archive: tuple[WebArchive, Archive], edit_url: str, page
) -> None:  # type: ignore[no-untyped-def]
    info, archive = edit_archive
    editing.edit_asset(archive, info.xss_id, {"visibility": "public"}, by="test")
    assert httpx.get(f"{edit_url}/assets/{info.xss_id}").status_code == 200
    log_in(page, edit_url, "anna")
    page.goto(f"{edit_url}/assets/{info.xss_id}/edit")
    page.fill("#f-reason", "Einwilligung widerrufen")
    page.click("form.withdraw-form button")  # the confirmation box is not ticked yet
    assert page.locator("#f-confirm").evaluate("box => !box.validity.valid")
    page.check("#f-confirm")
    page.click("form.withdraw-form button")
    page.wait_for_selector("p.notice")
    assert "Zurückgezogen" in page.inner_text("p.notice")
    for path in ("", "/original", "/subtitles.vtt"):
        assert httpx.get(f"{edit_url}/assets/{info.xss_id}{path}").status_code == 404
    assert httpx.get(f"{edit_url}/api/assets/{info.xss_id}").status_code == 404
    found = httpx.get(f"{edit_url}/api/search", params={"q": "Achtung"}).json()
    assert info.xss_id not in {hit["asset_id"] for hit in found}
    # An edit of the withdrawn asset changes nothing and says why.
    token = accounts.issue_token(archive, "anna")
    refused = httpx.patch(
        f"{edit_url}/api/assets/{info.xss_id}",
        json={"title": "Neu"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 404 and "withdrawn" in refused.json()["detail"]
    history = services.history.asset_history(archive, info.xss_id)
    assert [(h.action, h.by, h.note) for h in history][-1] == (
        "withdraw",
        "anna",
        "Einwilligung widerrufen",
    )
