"""Blobs from the archive store as HTTP responses, with Range requests so players can seek.

The store key always comes from the database (an asset's or rendition's ``blob_key``),
never from the request. Blobs are content-addressed, so their sha256 is a strong ETag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, Protocol
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from mediaarchive.web.security import blob_policy, may_show_inline

CHUNK = 256 * 1024
_RANGE = re.compile(r"^\s*bytes\s*=\s*([0-9]*)\s*-\s*([0-9]*)\s*$", re.IGNORECASE)
#: Byte positions longer than this many digits are beyond any blob (and beyond what
#: ``int()`` converts without a limit): they count as "past the end".
_MAX_DIGITS = 19


class BlobReader(Protocol):
    """What a response needs of the archive's store (a remote store may also offer
    ``open_range(key, first, last)``, which reads only those bytes)."""

    def open(self, key: str) -> BinaryIO: ...


class RangeNotSatisfiable(Exception):
    """The Range header asks for bytes outside the blob."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one byte range (first, last inclusive) asked for, or None for the whole blob.

    Several ranges in one header or a malformed header are answered with the whole blob
    (RFC 9110 allows ignoring Range); a range that starts past the end is unsatisfiable.

    Raises:
        RangeNotSatisfiable: the range lies entirely outside the blob.
    """
    if not header or "," in header:
        return None
    match = _RANGE.match(header)
    if not match:
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # suffix range: the last N bytes
        length = _position(last_text)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - length), size - 1
    first = _position(first_text)
    last = _position(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        raise RangeNotSatisfiable
    return first, min(last, size - 1)


def _position(digits: str) -> int:
    """A byte position from the header; a number of any length is accepted, and one too
    long to be a position in any file counts as 10**19 (past every blob's end)."""
    digits = digits.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        return 10**_MAX_DIGITS
    return int(digits)


def _read(handle: BinaryIO, first: int, length: int) -> Iterator[bytes]:
    try:
        if first:
            if handle.seekable():
                handle.seek(first)
            else:  # a non-seekable stream (S3 body): skip to the first byte
                remaining = first
                while remaining > 0:
                    skipped = handle.read(min(CHUNK, remaining))
                    if not skipped:
                        return
                    remaining -= len(skipped)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def content_disposition(filename: str | None, *, attachment: bool) -> str:
    """A Content-Disposition header value that survives any file name (RFC 6266)."""
    kind = "attachment" if attachment else "inline"
    if not filename:
        return kind
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in filename)
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def blob_response(
    request: Request,
    store: BlobReader,
    key: str,
    *,
    size: int,
    sha256: str,
    mime: str | None,
    filename: str | None = None,
    attachment: bool = False,
) -> Response:
    """The blob as a 200, a 206 for a byte range, 304 when unchanged, 416 when out of range.

    Only media on the inline list (``security.INLINE_TYPES``) may be shown in the browser;
    anything else is an attachment, whatever ``attachment`` says, and sandboxed.
    """
    etag = f'"{sha256}"'
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        # Content-addressed: the bytes behind this ETag never change.
        "Cache-Control": "private, max-age=3600",
        "Content-Disposition": content_disposition(
            filename, attachment=attachment or not may_show_inline(mime)
        ),
        "Content-Security-Policy": blob_policy(mime),
    }
    media_type = mime or "application/octet-stream"
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    try:
        wanted = parse_range(request.headers.get("range"), size)
    except RangeNotSatisfiable:
        headers["Content-Range"] = f"bytes */{size}"
        return Response(status_code=416, headers=headers)
    if_range = request.headers.get("if-range")
    if wanted is not None and if_range is not None and if_range != etag:
        wanted = None  # the client's copy is stale: send everything
    first, last = wanted if wanted is not None else (0, size - 1)
    length = max(0, last - first + 1)
    headers["Content-Length"] = str(length)
    status = 200
    if wanted is not None:
        status = 206
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media_type)
    open_range = getattr(store, "open_range", None)
    if open_range is not None and wanted is not None and length > 0:
        # A remote store reads only the range (no skipping through the bytes before it).
        handle = open_range(key, first, last)
        first_in_handle = 0
    else:
        handle = store.open(key)
        first_in_handle = first
    return StreamingResponse(
        _read(handle, first_in_handle, length),
        status_code=status,
        headers=headers,
        media_type=media_type,
    )
