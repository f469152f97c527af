"""Fetch one source to a temporary file: streamed, hashed on the way, retried, checked.

Memory stays flat whatever the size: bytes go from the socket to the file in chunks while
sha256 is updated (by a second thread, see ``partial``). The temporary file lives in a
folder the caller chooses (the store's temp folder, so the final rename is atomic) and is
removed when anything goes wrong.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from mediaarchive.errors import FetchError
from mediaarchive.sources.kinds import detect_kind, is_html
from mediaarchive.sources.partial import PartialFile
from mediaarchive.sources.urls import Location, check_not_expired, display_url

if TYPE_CHECKING:
    import urllib3

CHUNK = 1024 * 1024

#: Called with (bytes so far, total bytes or None).
FetchProgress = Callable[[int, int | None], None]


@dataclass
class FetchOptions:
    """How hard to try (from the settings ``fetch_retries``, ``fetch_timeout``…)."""

    attempts: int = 4
    timeout: float = 30.0
    backoff: float = 0.5
    endpoint_url: str | None = None
    #: Name prefix of the partial file (the caller marks it with its owner process).
    temp_prefix: str = "fetch-"
    #: Largest accepted download in bytes (None: no limit), from ``max_asset_gb``.
    max_size: int | None = None
    #: Bytes of free space a download must leave on the disk, from ``disk_reserve_gb``.
    reserve: int = 0


@dataclass
class FetchedFile:
    """A downloaded file waiting in the temp folder to be stored."""

    path: Path
    sha256: str
    size: int
    kind: str
    mime: str | None
    etag: str | None
    attempts: int
    seconds: float
    #: Zero bytes among ``size`` (a sparse or mostly-empty file is worth a warning).
    zero_bytes: int = 0


@dataclass
class Stream:
    """An open download: its chunks, the size it announced, and how to close it.

    ``resumed`` is True when the source answered a range request (the chunks continue
    the bytes already downloaded); ``length`` is the number of bytes this stream brings.
    """

    chunks: Iterable[bytes]
    length: int | None
    etag: str | None
    close: Callable[[], None]
    resumed: bool = False


class NotModified(Exception):
    """The source still holds the bytes archived from it (answer to a conditional request)."""


def fetch(
    location: Location,
    dest_dir: Path,
    options: FetchOptions | None = None,
    progress: FetchProgress | None = None,
    *,
    if_none_match: str | None = None,
) -> FetchedFile:
    """Download ``location`` into a new file in ``dest_dir``.

    A download that breaks off is retried from where it stopped (a range request, guarded
    by the ETag so a changed object starts over); the sha256 carries on over the retries.

    Args:
        if_none_match: the ETag of the bytes already archived from this link; when the
            source still has them, ``NotModified`` is raised and nothing is downloaded.

    Raises:
        ExpiredLinkError: a presigned link is past its expiry (nothing was downloaded).
        FetchError: the source failed; ``transient`` failures were retried first.
        NotModified: see ``if_none_match``.
    """
    options = options or FetchOptions()
    if location.kind == "presigned":
        check_not_expired(location.url)
    started = time.monotonic()
    attempts = 0
    partial = PartialFile(dest_dir, options.temp_prefix)

    def attempt() -> None:
        nonlocal attempts
        attempts += 1
        _download_into(partial, location, options, progress, if_none_match)

    retrying = Retrying(
        stop=stop_after_attempt(max(1, options.attempts)),
        wait=wait_exponential(multiplier=options.backoff, max=30),
        retry=retry_if_exception(lambda exc: isinstance(exc, FetchError) and exc.transient),
        reraise=True,
    )
    try:
        try:
            retrying(attempt)
        except FetchError as exc:
            if exc.transient and attempts > 1:
                gave_up = FetchError(f"{exc} (gave up after {attempts} attempts)", transient=True)
                gave_up.host_down = exc.host_down
                raise gave_up from exc
            raise
        partial.finish()
        fetched = _checked(location, partial)
    except BaseException:
        partial.discard()
        raise
    fetched.attempts = attempts
    fetched.seconds = time.monotonic() - started
    return fetched


def _download_into(
    partial: PartialFile,
    location: Location,
    options: FetchOptions,
    progress: FetchProgress | None,
    if_none_match: str | None,
) -> None:
    name = display_url(location.url)
    offset = partial.size
    stream = _open(
        location,
        options,
        offset=offset,
        if_match=partial.etag if offset else None,
        if_none_match=None if offset else if_none_match,
    )
    if offset and not stream.resumed:
        partial.reset()
    if stream.etag:
        partial.etag = stream.etag
    total = partial.size + stream.length if stream.length is not None else None
    try:
        _check_room(name, partial, total, options)
        for chunk in stream.chunks:
            if chunk:
                if options.max_size is not None and partial.size + len(chunk) > options.max_size:
                    raise _too_large(name, None, options.max_size)
                partial.write(chunk)
                if progress is not None:
                    progress(partial.size, total)
        partial.wait()
    except FetchError:
        raise
    except Exception as exc:  # noqa: BLE001 - every library's stream error is wrapped
        raise _stream_error(name, exc, partial.size, total) from exc
    finally:
        stream.close()
    if total is not None and partial.size != total:
        raise FetchError(
            f"{name}: download truncated: got {partial.size} of {total} bytes; "
            "the server closed early, try again later",
            transient=True,
        )


def _gb(size: int) -> str:
    """A size for messages: ``3.2 GB``, ``640 MB``, ``12 kB``, ``900 bytes``."""
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


def _too_large(name: str, size: int | None, limit: int) -> FetchError:
    what = f"is {_gb(size)}" if size is not None else f"grew past {_gb(limit)}"
    return FetchError(
        f"{name}: {what}, larger than the largest accepted asset ({_gb(limit)}); "
        "raise the setting max_asset_gb to archive it"
    )


def _check_room(name: str, partial: PartialFile, total: int | None, options: FetchOptions) -> None:
    """Refuse before the download what will not fit: larger than the largest accepted asset
    (when the source announces its size), or leaving less free space than the reserve."""
    if total is not None and options.max_size is not None and total > options.max_size:
        raise _too_large(name, total, options.max_size)
    if not options.reserve and total is None:
        return
    free = shutil.disk_usage(partial.path.parent).free
    needed = (total - partial.size if total is not None else 0) + options.reserve
    if free < needed:
        size = f"{_gb(total)} " if total is not None else ""
        raise FetchError(
            f"{name}: not enough free space for this {size}download: {_gb(free)} free on "
            f"{partial.path.parent}, {_gb(options.reserve)} kept in reserve "
            "(setting disk_reserve_gb); free some space and run 'mediaarchive retry'"
        )


def _checked(location: Location, partial: PartialFile) -> FetchedFile:
    """The finished download, unless it is empty or an HTML page instead of media."""
    name = display_url(location.url)
    if partial.size == 0:
        raise FetchError(
            f"{name}: the source is empty (0 bytes); check the link or re-export the page"
        )
    if location.kind != "local" and is_html(partial.head):
        raise FetchError(
            f"{name}: got an HTML page instead of media (an error or login page?); "
            "open the link in a browser, or re-export the page for fresh links"
        )
    kind, mime = detect_kind(partial.head, location.filename)
    return FetchedFile(
        partial.path,
        partial.sha256,
        partial.size,
        kind,
        mime,
        partial.etag,
        1,
        0.0,
        partial.zero_bytes,
    )


def _stream_error(name: str, exc: Exception, size: int, length: int | None) -> FetchError:
    if (
        isinstance(exc, OSError)
        and exc.errno is not None
        and not isinstance(exc, ConnectionError | TimeoutError)
    ):
        return FetchError(f"{name}: cannot write the download: {exc}")
    total = f" of {length}" if length is not None else ""
    text = f"{type(exc).__name__} {exc}".lower()
    what = "stalled" if "timed out" in text or "timeout" in text else "broke off"
    return FetchError(
        f"{name}: download {what} after {size}{total} bytes ({type(exc).__name__}); "
        "try again later",
        transient=True,
    )


def _open(
    location: Location,
    options: FetchOptions,
    *,
    offset: int = 0,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> Stream:
    if location.kind == "local":
        return _open_local(location, offset)
    if location.kind == "s3":
        # boto3 loads here, not with this module: 0.15 s of every ingest of local files.
        from mediaarchive.sources.s3 import open_s3_object

        opened = open_s3_object(
            location,
            endpoint_url=options.endpoint_url,
            timeout=options.timeout,
            offset=offset,
            if_match=if_match,
            if_none_match=if_none_match,
        )
        if opened is None:
            raise NotModified(location.url)
        body, length, etag, resumed = opened
        return Stream(body.iter_chunks(CHUNK), length, etag, body.close, resumed)
    return _open_http(
        location, options, offset=offset, if_match=if_match, if_none_match=if_none_match
    )


def _open_local(location: Location, offset: int = 0) -> Stream:
    assert location.path is not None
    try:
        handle = open(location.path, "rb")
    except FileNotFoundError as exc:
        raise FetchError(f"{location.path}: no such file; check the path") from exc
    except IsADirectoryError as exc:
        raise FetchError(f"{location.path}: is a folder, not a file") from exc
    except OSError as exc:
        raise FetchError(f"{location.path}: cannot read it: {exc.strerror}") from exc
    length = os.fstat(handle.fileno()).st_size - offset
    handle.seek(offset)
    return Stream(iter(lambda: handle.read(CHUNK), b""), length, None, handle.close, resumed=True)


@lru_cache(maxsize=8)
def _pool(timeout: float) -> urllib3.PoolManager:
    import urllib3  # noqa: PLC0415 - imported when a link is fetched (a file's ingest: 35 ms less)

    retries = urllib3.Retry(total=False, connect=0, read=0, status=0, other=0, redirect=5)
    return urllib3.PoolManager(
        retries=retries, timeout=urllib3.Timeout(connect=timeout, read=timeout)
    )


def _open_http(
    location: Location,
    options: FetchOptions,
    *,
    offset: int = 0,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> Stream:
    import urllib3  # noqa: PLC0415 - see ``_pool``

    name = display_url(location.url)
    headers = {}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        if if_match:
            headers["If-Range"] = if_match  # a changed resource comes back whole (200)
    if if_none_match:
        headers["If-None-Match"] = if_none_match
    try:
        response = _pool(options.timeout).request(
            "GET", location.url, headers=headers, preload_content=False, decode_content=False
        )
    except urllib3.exceptions.MaxRetryError as exc:
        raise _connect_error(name, exc.reason or exc) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise _connect_error(name, exc) from exc
    status = response.status
    if status == 304 and if_none_match:
        response.release_conn()
        raise NotModified(location.url)
    if status not in (200, 206):
        response.drain_conn()
        response.release_conn()
        raise http_status_error(name, status, presigned=location.kind == "presigned")
    header = response.headers.get("Content-Length")
    length = int(header) if header and header.isdigit() else None
    if response.headers.get("Content-Encoding", "identity") not in ("identity", ""):
        length = None  # the announced length is of the encoded bytes we store as they come

    def close() -> None:
        response.release_conn()

    return Stream(
        response.stream(CHUNK, decode_content=False),
        length,
        response.headers.get("ETag"),
        close,
        resumed=status == 206,
    )


def _connect_error(name: str, exc: BaseException) -> FetchError:
    """The error for a request that got no answer. ``host_down`` is set when the host does
    not resolve or refuses connections: the caller need not try its other links."""
    error = _connect_error_for(name, exc)
    text = f"{type(exc).__name__} {exc}"
    error.host_down = (
        "does not resolve" in str(error)
        or "refused" in text.lower()
        or isinstance(exc, ConnectionRefusedError)
    )
    return error


def _connect_error_for(name: str, exc: BaseException) -> FetchError:
    text = str(exc)
    if (
        "Name or service not known" in text
        or "NameResolutionError" in type(exc).__name__
        or "nodename nor servname" in text
        or "getaddrinfo" in text.lower()
    ):
        return FetchError(
            f"{name}: the host name does not resolve (DNS); check the link and your network",
            transient=True,
        )
    if "timed out" in text.lower():
        return FetchError(
            f"{name}: the server did not answer in time; try again later", transient=True
        )
    if "refused" in text.lower():
        return FetchError(
            f"{name}: the server refused the connection (is it down?); check the link, "
            "then try again later",
            transient=True,
        )
    return FetchError(
        f"{name}: cannot connect ({type(exc).__name__}); check the link and "
        "your network, then try again",
        transient=True,
    )


def http_status_error(name: str, status: int, *, presigned: bool = False) -> FetchError:
    """The error for an HTTP status other than 200, with what to do about it."""
    if status == 404:
        return FetchError(
            f"{name}: not found (404); check the link, or re-export the page if the file moved"
        )
    if status in (401, 403):
        advice = (
            "the link may have expired or been revoked; re-export the page"
            if presigned
            else "the object is private; set AWS credentials with read access "
            "(AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or use a "
            "presigned link"
        )
        return FetchError(f"{name}: access denied ({status}); {advice}")
    if status == 410:
        return FetchError(f"{name}: gone (410); re-export the page for fresh links")
    if status in (408, 429) or status >= 500:
        return FetchError(f"{name}: server error ({status}); try again later", transient=True)
    return FetchError(f"{name}: the server answered {status}; check the link")
