"""Log-in, log-out and who is asking: the session cookie, API tokens and CSRF tokens.

The session cookie holds only a random id (HttpOnly, SameSite=Lax, Secure over https —
directly or through a trusted proxy that says so). Every form carries a CSRF token: the
same random value as the ``csrf`` cookie (double submit; a page of another origin can
neither read the cookie nor set it). Scripts authenticate with ``Authorization: Bearer``.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from mediaarchive.services import accounts
from mediaarchive.services.accounts import Account
from mediaarchive.web.deps import get_archive
from mediaarchive.web.rendering import render

router = APIRouter(include_in_schema=False)

SESSION_COOKIE = "session"
CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf_token"
#: Paths that take writes; their routes check the CSRF token (or API token) and the role.
WRITE_PATHS = re.compile(
    r"^/(login|logout|assets/[^/]+/(edit|review|replace|withdraw)"
    r"|api/assets/[^/]+(/transcript/revisions|/review)?)$"
)
CSRF_HEADER = "x-csrf-token"
#: Longest form body read (a log-in form is a few hundred bytes).
MAX_FORM = 64 * 1024


def current_account(request: Request) -> Account | None:
    """The account behind the request's session cookie or Bearer token, or None."""
    if "account" in request.scope.get("state", {}):
        return request.state.account
    archive = get_archive(request)
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        account = accounts.token_account(archive, header[7:].strip())
    else:
        account = accounts.session_account(archive, request.cookies.get(SESSION_COOKIE))
    request.state.account = account
    return account


def csrf_token(request: Request) -> str:
    """The request's CSRF token (made now when the browser has none; ``render`` sets it)."""
    token = request.cookies.get(CSRF_COOKIE) or request.scope.get("state", {}).get("new_csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Send the CSRF cookie made for this request, if one was made."""
    token = request.scope.get("state", {}).get("new_csrf")
    if token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )


async def read_form(request: Request) -> dict[str, str]:
    """A url-encoded form's fields (first value each); too large a body reads as empty."""
    body = await request.body()
    if len(body) > MAX_FORM:
        return {}
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def csrf_ok(request: Request, sent: str) -> bool:
    """The token a form or header sent is the request's CSRF cookie (never an empty one)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and secrets.compare_digest(cookie.encode(), sent.encode())


def _client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _safe_next(target: str | None) -> str:
    """Only a path of this site (``/…``, not ``//host``) is followed after log-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target[:2000]
    return "/"


def _login_page(
    request: Request, *, message: str | None = None, status: int = 200, next_url: str = "/"
) -> HTMLResponse:
    response = render(
        request,
        "login.html",
        {"message": message, "next_url": next_url, "csrf": csrf_token(request)},
        status_code=status,
    )
    set_csrf_cookie(request, response)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:  # noqa: A002
    """The log-in form (fields ``username``, ``password``, ``csrf_token``)."""
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the name and password; on success set the session cookie and go on."""
    form = await read_form(request)
    next_url = _safe_next(form.get("next"))
    if not csrf_ok(request, form.get(CSRF_FIELD, "")):
        return _login_page(request, message="csrf", status=403, next_url=next_url)
    try:
        session_id = accounts.log_in(
            get_archive(request),
            form.get("username", "")[:200],
            form.get("password", ""),
            _client_address(request),
        )
    except accounts.LoginRefused as exc:
        wait = "too many" in str(exc)
        return _login_page(
            request,
            message="wait" if wait else "wrong",
            status=429 if wait else 401,
            next_url=next_url,
        )
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Forget the session (needs the form's CSRF token) and go to the start page."""
    form = await read_form(request)
    if not csrf_ok(request, form.get(CSRF_FIELD, "")):
        return render(request, "error.html", {"status": 403, "message": "CSRF"}, status_code=403)
    accounts.end_session(get_archive(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def may_write(path: str) -> bool:
    """True for the paths whose routes take writes (and check who sends them)."""
    return bool(WRITE_PATHS.match(path))


def writer(request: Request) -> Account:
    """The account sending a JSON write: an API token, or a session whose CSRF token came
    along as ``X-CSRF-Token``. Raises 401 without an account, 403 without the token."""
    bearer = request.headers.get("authorization", "")[:7].lower() == "bearer "
    account = current_account(request)
    if account is None:
        raise HTTPException(401, "log in first (or send 'Authorization: Bearer TOKEN')")
    if not bearer and not csrf_ok(request, request.headers.get(CSRF_HEADER, "")):
        raise HTTPException(403, "the CSRF token is missing or wrong: reload the page")
    return account


def form_writer(request: Request, form: dict[str, str]) -> Account:
    """The account sending a form: a session, with the form's ``csrf_token`` field."""
    if not csrf_ok(request, form.get(CSRF_FIELD, "")):
        raise HTTPException(403, "the form has expired (CSRF token): reload the page")
    account = current_account(request)
    if account is None:
        raise HTTPException(401, "log in first")
    return account
