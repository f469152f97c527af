"""Server-rendered HTML: the Jinja2 environment (autoescaping everything) and page helpers."""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from mediaarchive.services.pages import fold_word
from mediaarchive.web.i18n import COOKIE, LANGUAGES, pick_language, translator
from mediaarchive.web.library import format_size, format_time

TEMPLATES = Path(__file__).with_name("templates")

#: Pages load only their own scripts, styles and media: an injected tag could do nothing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

_MARK = re.compile(r"(</?mark>)")


def safe_snippet(snippet: str | None) -> Markup:
    """A search snippet with its ``<mark>`` tags kept and everything else escaped.

    Search hands snippets over already escaped; unescaping and escaping again leaves such
    text as it is and neutralises any markup that was not escaped.
    """
    if not snippet:
        return Markup("")
    parts = _MARK.split(snippet)
    out = []
    for part in parts:
        if part in ("<mark>", "</mark>"):
            out.append(part)
        else:
            out.append(html.escape(html.unescape(part), quote=False))
    text = "".join(out)
    # Keep the marks balanced, whatever came in.
    if text.count("<mark>") != text.count("</mark>"):
        text = html.escape(html.unescape(_MARK.sub("", snippet)), quote=False)
    return Markup(text)


def marked_line(text: str, words: Collection[str] | None) -> Markup:
    """A transcript line, escaped, with its low-confidence words in ``<mark class="low">``."""
    if not words:
        return Markup(html.escape(text, quote=False))
    low_words = set(words)
    out = []
    for token in text.split(" "):
        escaped = html.escape(token, quote=False)
        out.append(
            f'<mark class="low">{escaped}</mark>' if fold_word(token) in low_words else escaped
        )
    return Markup(" ".join(out))


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["time"] = format_time
    env.filters["size"] = format_size
    env.filters["snippet"] = safe_snippet
    env.filters["marked"] = marked_line
    return env


ENVIRONMENT = _environment()


def request_language(request: Request) -> str:
    """The page language for this request (``?lang=``, cookie, Accept-Language, setting)."""
    default = getattr(request.app.state, "default_language", "de")
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get(COOKIE),
        request.headers.get("accept-language"),
        default,
    )


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """A page in the request's language, with the security headers every page carries."""
    language = request_language(request)
    other = next(code for code in LANGUAGES if code != language)
    hooks = getattr(request.app.state, "page_hooks", None)
    extra = hooks(request) if hooks else {}
    page = ENVIRONMENT.get_template(template).render(
        request=request,
        lang=language,
        t=translator(language),
        switch_url=str(request.url.include_query_params(lang=other)).removeprefix(
            f"{request.url.scheme}://{request.url.netloc}"
        ),
        **{**extra, **context},
    )
    response = HTMLResponse(page, status_code=status_code)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language, Cookie"
    finish = getattr(request.app.state, "page_finish", None)
    if finish:
        finish(request, response)
    explicit = request.query_params.get("lang")
    if explicit and explicit[:2].lower() in LANGUAGES:
        response.set_cookie(
            COOKIE, explicit[:2].lower(), max_age=365 * 86400, samesite="lax", httponly=True
        )
    return response
