"""What keeps the archive's origin safe: which files a browser may show inline, the headers
every response carries, and the Host allow-list (against DNS rebinding).

Originals come from anywhere (a linked page, a manifest row): an SVG or HTML file among them
must never run script in the archive's origin. So a blob is shown inline only when its type
is on a short list of media that cannot carry script; everything else is an attachment, and
every response that is not one of the archive's own pages is sandboxed by its CSP.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mediaarchive.services.serving import HostPolicy

#: Types a browser may show inline: media that carries no script. SVG, HTML, XML, PDF and
#: everything unknown are downloads. (text/vtt is loaded by the player as a track.)
INLINE_TYPES = frozenset({"video/mp4", "image/png", "image/jpeg", "image/webp", "text/vtt"})

#: The policy of every response that is not one of the archive's own pages: whatever the
#: browser makes of the bytes, they get an opaque origin and may load nothing.
SANDBOX_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
#: The same for media shown inline. A browser opening a video directly makes a media
#: document that fetches the file again, which an opaque origin may not do; so these keep
#: their origin (``allow-same-origin``) but still run nothing (no ``allow-scripts``), and
#: may load media and images from the archive only (and style their own frame). Only types
#: that carry no script get it.
INLINE_MEDIA_POLICY = (
    "sandbox allow-same-origin; default-src 'none'; media-src 'self'; img-src 'self'; "
    "style-src 'unsafe-inline'; frame-ancestors 'none'"
)
#: What a page of someone else's design that the app serves (the API docs) still gets.
FRAME_POLICY = "frame-ancestors 'none'"


def may_show_inline(mime: str | None) -> bool:
    """True when a file of this type may be shown in the browser rather than downloaded."""
    if not mime:
        return False
    base = mime.split(";", 1)[0].strip().lower()
    return base in INLINE_TYPES or base.startswith("audio/")


def blob_policy(mime: str | None) -> str:
    """The Content-Security-Policy of a stored file of this type."""
    return INLINE_MEDIA_POLICY if may_show_inline(mime) else SANDBOX_POLICY


def host_name(header: str) -> str:
    """The host name of a Host header, lowercase, without the port (``[::1]`` stays so)."""
    value = header.strip().lower().rstrip(".")
    if value.startswith("["):
        end = value.find("]")
        return value[: end + 1] if end > 0 else value
    if value.count(":") == 1:
        return value.split(":", 1)[0].rstrip(".")
    return value


class Guarded:
    """Answers only to allowed Host names, and adds the security headers each response lacks.

    A request whose Host is not allowed gets a 421 and never reaches the app. Every response
    gets ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, a referrer policy,
    and, unless it set its own, a Content-Security-Policy: the sandbox for everything but
    HTML, ``frame-ancestors 'none'`` for HTML the archive did not write (the API docs).
    """

    def __init__(self, app: ASGIApp, hosts: HostPolicy) -> None:
        self.app = app
        self.hosts = hosts
        self.names = frozenset(host_name(name) for name in hosts.names)

    def allows(self, header: str | None) -> bool:
        # HTTP/1.0 without Host cannot come from a browser on a rebound name.
        return self.hosts.any_host or not header or host_name(header) in self.names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _with_security_headers(message["headers"])}
            await send(message)

        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
        if not self.allows(host):
            response = PlainTextResponse(
                "This archive does not answer to that host name. Its operator can allow it "
                "with 'mediaarchive serve --allowed-host NAME' or MEDIAARCHIVE_ALLOWED_HOSTS.",
                status_code=421,
            )
            await response(scope, receive, guarded_send)
            return
        await self.app(scope, receive, guarded_send)


def _with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    added = list(headers)
    if b"content-security-policy" not in present:
        content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
        html = content_type.split(b";", 1)[0].strip().lower() == b"text/html"
        added.append(
            (b"content-security-policy", (FRAME_POLICY if html else SANDBOX_POLICY).encode())
        )
    defaults = (
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
    )
    added.extend((name, value) for name, value in defaults if name not in present)
    return added
