"""Accounts: users on the command line, log-in and log-out on the page, sessions, lockout,
CSRF, cookie flags, and the log-in page's accessibility in Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.db import User, WebSession
from mediaarchive.services import accounts
from mediaarchive.web.app import create_app
from tests.a11y import axe_violations
from tests.fixtures.web import screenshot

PASSWORD = "Stadtlabor-2024"


@pytest.fixture
def archive(home: Path) -> Iterator[Archive]:
    archive = Archive(Settings.load(home=home))
    yield archive
    archive.close()


@pytest.fixture
def client(archive: Archive) -> TestClient:
    accounts.add_user(archive, "anna", "editor", PASSWORD)
    return TestClient(create_app(archive), base_url="http://127.0.0.1")


def form_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the form has no csrf_token field"
    return match.group(1)


def log_in(client: TestClient, password: str = PASSWORD, name: str = "anna") -> httpx.Response:
    token = form_token(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


def test_users_on_the_command_line(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    added = cli("users", "add", "anna", "--role", "editor", "--password-stdin", input=PASSWORD)
    assert added.exit_code == 0, added.stderr
    assert "anna added (editor)" in added.stderr
    again = cli("users", "add", "anna", "--role", "admin", "--password-stdin", input=PASSWORD)
    assert again.exit_code == 1 and "exists already" in again.stderr
    short = cli("users", "add", "bob", "--role", "admin", "--password-stdin", input="kurz")
    assert short.exit_code == 1 and "too short" in short.stderr
    role = cli("users", "add", "bob", "--role", "root", "--password-stdin", input=PASSWORD)
    assert role.exit_code == 2 and "root" in role.stderr
    token = cli("users", "token", "anna")
    assert token.exit_code == 0
    value = token.stdout.strip().split()[-1]
    assert len(value) >= 40
    listed = json.loads(cli("users", "list", "--json").stdout)
    assert [(u["name"], u["role"], u["disabled"], u["token"]) for u in listed] == [
        ("anna", "editor", False, True)
    ]
    # The password is stored as an Argon2 hash, never as given; so is the token.
    archive = Archive(Settings.load(home=home))
    with archive.session() as session:
        user = session.scalar(select(User))
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash and user.token_hash != value
    assert accounts.token_account(archive, value).name == "anna"
    disabled = cli("users", "disable", "anna")
    assert disabled.exit_code == 0
    assert accounts.token_account(archive, value) is None
    assert cli("users", "passwd", "nobody", "--password-stdin", input=PASSWORD).exit_code == 1
    archive.close()


def test_log_in_and_out_with_safe_cookie(client: TestClient) -> None:
    start = client.get("/").text
    assert 'href="/login' in start and "Angemeldet" not in start
    response = log_in(client)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # plain http on loopback; https gets Secure
    assert PASSWORD not in cookie
    page = client.get("/").text
    assert "Angemeldet als anna" in page
    logout = client.post("/logout", data={"csrf_token": form_token(page)}, follow_redirects=False)
    assert logout.status_code == 303
    assert "Angemeldet" not in client.get("/").text


def test_https_cookie_is_secure(archive: Archive) -> None:
    accounts.add_user(archive, "anna", "editor", PASSWORD)
    client = TestClient(create_app(archive), base_url="https://127.0.0.1")
    assert "secure" in log_in(client).headers["set-cookie"].lower()


def test_wrong_password_forged_csrf_and_a_foreign_next_change_nothing(client: TestClient) -> None:
    wrong = log_in(client, password="falsch-falsch")
    assert wrong.status_code == 401
    assert "Benutzername oder Passwort ist falsch" in wrong.text
    assert "set-cookie" not in wrong.headers or "session=" not in wrong.headers["set-cookie"]
    client.get("/login")
    forged = client.post(
        "/login",
        data={"username": "anna", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and "abgelaufen" in forged.text
    assert "Angemeldet" not in client.get("/").text
    token = form_token(client.get("/login").text)
    away = client.post(
        "/login",
        data={
            "username": "anna",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert away.status_code == 303 and away.headers["location"] == "/"
    # Logging out needs the token too.
    assert client.post("/logout", data={}).status_code == 403
    assert "Angemeldet als anna" in client.get("/").text


def test_five_failures_make_the_account_wait(client: TestClient, archive: Archive) -> None:
    for _ in range(accounts.FREE_FAILURES):
        assert log_in(client, password="falsch-falsch").status_code == 401
    waiting = log_in(client)  # the right password, but too soon
    assert waiting.status_code == 429 and "Zu viele Fehlversuche" in waiting.text
    with pytest.raises(accounts.LoginRefused, match=r"try again in \d+ seconds"):
        accounts.log_in(archive, "anna", PASSWORD, "127.0.0.1")
    # The wait doubles with each further failure.
    with archive.session() as session:
        first = session.scalar(select(User.locked_until))
        session.execute(update(User).values(locked_until=None))
    log_in(client, password="falsch-falsch")
    with archive.session() as session:
        second = session.scalar(select(User.locked_until))
    now = datetime.now(UTC).replace(tzinfo=None)
    first_wait = (first.replace(tzinfo=None) - now).total_seconds()
    second_wait = (second.replace(tzinfo=None) - now).total_seconds()
    assert 20 < first_wait <= 30 and 50 < second_wait <= 60
    # passwd lifts the wait.
    accounts.set_password(archive, "anna", PASSWORD)
    assert log_in(client).status_code == 303


def test_an_address_waits_too_but_not_loopback(archive: Archive) -> None:
    accounts.add_user(archive, "anna", "editor", PASSWORD)
    for name in ("x1", "x2", "x3", "x4", "x5"):  # unknown names: only the address counts
        with pytest.raises(accounts.LoginRefused, match="wrong"):
            accounts.log_in(archive, name, "nope-nope", "203.0.113.7")
    with pytest.raises(accounts.LoginRefused, match="too many"):
        accounts.log_in(archive, "anna", PASSWORD, "203.0.113.7")
    assert accounts.log_in(archive, "anna", PASSWORD, "203.0.113.8")
    for name in ("x1", "x2", "x3", "x4", "x5", "x6"):
        with pytest.raises(accounts.LoginRefused, match="wrong"):
            accounts.log_in(archive, name, "nope-nope", "127.0.0.1")
    assert accounts.log_in(archive, "anna", PASSWORD, "127.0.0.1")


def test_disable_and_passwd_end_sessions_and_sessions_expire(
    client: TestClient, archive: Archive
) -> None:
    log_in(client)
    assert "Angemeldet als anna" in client.get("/").text
    accounts.set_password(archive, "anna", PASSWORD + "!")
    assert "Angemeldet" not in client.get("/").text
    assert log_in(client, password=PASSWORD + "!").status_code == 303
    accounts.disable_user(archive, "anna")
    assert "Angemeldet" not in client.get("/").text
    assert log_in(client, password=PASSWORD + "!").status_code == 401
    # Idle and absolute expiry.
    accounts.add_user(archive, "ben", "viewer", PASSWORD)
    idle = accounts.log_in(archive, "ben", PASSWORD)
    old = accounts.log_in(archive, "ben", PASSWORD)
    fresh = accounts.log_in(archive, "ben", PASSWORD)
    now = datetime.now(UTC)
    with archive.session() as session:
        rows = {row.id: row for row in session.scalars(select(WebSession))}
        digest = accounts._digest  # noqa: SLF001 - the table keeps only digests
        rows[digest(idle)].seen_at = now - timedelta(hours=13)
        rows[digest(old)].created_at = now - timedelta(days=8)
    assert accounts.session_account(archive, idle) is None
    assert accounts.session_account(archive, old) is None
    assert accounts.session_account(archive, fresh).name == "ben"
    assert accounts.session_account(archive, "made-up") is None


def test_other_writes_stay_refused(client: TestClient) -> None:
    log_in(client)
    response = client.post("/api/search", json={})
    assert response.status_code == 405


def test_log_in_page_in_chromium_is_accessible(archive: Archive, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mediaarchive.web.server import BackgroundServer

    accounts.add_user(archive, "anna", "admin", PASSWORD)
    with BackgroundServer(archive, "127.0.0.1", 0) as server:
        url = server.url.rstrip("/")
        page.goto(f"{url}/login")
        assert axe_violations(page) == []
        page.fill("#login-username", "anna")
        page.fill("#login-password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_selector("form.account")
        assert "Angemeldet als anna" in page.inner_text("header")
        screenshot(page, "logged-in")
        page.click("form.account button")
        page.wait_for_selector("a.login-link")
