"""The web application: ``create_app(archive)`` builds the FastAPI app over one archive."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mediaarchive.errors import MediaArchiveError
from mediaarchive.services import Archive, accounts, audience
from mediaarchive.services.serving import HostPolicy, host_policy
from mediaarchive.web import api, auth, docs, edit_api, editor, media, pages
from mediaarchive.web.rendering import ENVIRONMENT, render
from mediaarchive.web.security import Guarded

STATIC = Path(__file__).with_name("static")
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class ReadOnlyAndTimed:
    """Refuses every method that could change something, except on the routes that take
    writes and check the CSRF token and the account's role themselves (``auth.WRITE_PATHS``),
    and reports the server time.

    ``Server-Timing: app;dur=…`` is the time from the request's arrival to the response
    head, in milliseconds (browsers show it in their network panel).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in READ_METHODS and not auth.may_write(scope["path"]):
            response = JSONResponse(
                {"detail": "this archive is read-only on the web"},
                status_code=405,
                headers={"Allow": "GET, HEAD"},
            )
            await response(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", f"app;dur={elapsed:.1f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed_send)


class ReadingAs:
    """Sets who is reading for the request (``services.audience``): accounts see internal
    assets, anonymous visitors only public ones — except in single-user mode (no account
    exists and the server listens on a loopback address). Withdrawn assets are hidden from
    all. ``serve --public-only`` serves the public view only and has no log-in."""

    def __init__(self, app: ASGIApp, hosts: HostPolicy) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.hosts.public_only:
            if scope["path"] in ("/login", "/logout") or scope["method"] not in READ_METHODS:
                response = JSONResponse({"detail": "Not Found"}, status_code=404)
                await response(scope, receive, send)
                return
            reader = audience.PUBLIC
        else:
            reader = await run_in_threadpool(self._reader, scope)
        with audience.reading_as(reader):
            await self.app(scope, receive, send)

    def _reader(self, scope: Scope) -> str:
        request = Request(scope)
        if auth.current_account(request) is not None:
            return audience.ACCOUNTS
        archive = request.app.state.archive
        if self.hosts.loopback and not accounts.any_accounts(archive):
            return audience.ACCOUNTS
        return audience.PUBLIC


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not (
        path.startswith("/api/")
        or path.startswith("/openapi")
        or "/subtitles." in path
        or "/transcript." in path
    )


def create_app(archive: Archive, *, hosts: HostPolicy | None = None) -> FastAPI:
    """The web app over ``archive``: pages, downloads and the JSON API (read-only).

    ``hosts`` names the Host headers it answers to (default: localhost and the
    ``allowed_hosts`` setting).
    """
    app = FastAPI(
        title="mediaarchive",
        summary="Search, watch and read the media of public events.",
        description="Read-only JSON API of a mediaarchive: search what was said or shown, "
        "list assets and events, read transcripts. Media downloads answer Range requests.",
        version=_version(),
        docs_url=None,
        redoc_url=None,
    )
    app.state.archive = archive
    app.state.default_language = archive.settings.web_language

    @app.exception_handler(MediaArchiveError)
    async def library_error(request: Request, exc: MediaArchiveError) -> Response:
        return _error(request, exc.http_status, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _wants_html(request):
            return _error(
                request,
                400,
                "; ".join(
                    f"{'.'.join(str(p) for p in err['loc'][1:])}: {err['msg']}"
                    for err in exc.errors()
                ),
            )
        return JSONResponse({"detail": exc.errors()}, status_code=422)

    app.state.page_hooks = _page_context
    app.state.page_finish = auth.set_csrf_cookie
    app.include_router(auth.router)
    app.include_router(docs.router)
    app.include_router(editor.router)
    app.include_router(pages.router)
    app.include_router(media.router)
    app.include_router(api.router)
    app.include_router(edit_api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-static", docs.swagger_files(), name="docs-static")
    policy = hosts or host_policy(archive.settings)
    app.state.public_only = policy.public_only
    app.add_middleware(ReadingAs, hosts=policy)
    app.add_middleware(ReadOnlyAndTimed)
    app.add_middleware(Guarded, hosts=policy)
    for template in ENVIRONMENT.list_templates(extensions=["html"]):
        ENVIRONMENT.get_template(template)  # compiled now, not on a visitor's first request
    return app


def _page_context(request: Request) -> dict[str, object]:
    """What every page's header shows: who is logged in (with the log-out form's token), or
    a log-in link once accounts exist."""
    account = auth.current_account(request)
    if account is not None:
        return {"account": account, "csrf": auth.csrf_token(request), "show_login": False}
    return {"account": None, "show_login": _accounts_exist(request)}


def _accounts_exist(request: Request) -> bool:
    return not request.app.state.public_only and accounts.any_accounts(request.app.state.archive)


def _error(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _wants_html(request) and request.method != "HEAD":
        response = render(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )
        if headers:
            response.headers.update(headers)
        return response
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mediaarchive")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"
