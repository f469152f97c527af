"""Fetch one source to a temporary file: streamed, hashed on the way, retried, checked.

Memory stays flat whatever the size: bytes go from the socket to the file in chunks while
sha256 is updated. The temporary file lives in a folder the caller chooses (the store's temp
folder, so the final rename is atomic) and is removed when anything goes wrong.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import urllib3
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from mediaarchive.errors import FetchError
from mediaarchive.sources.kinds import HEAD_BYTES, detect_kind, is_html
from mediaarchive.sources.s3 import open_s3_object
from mediaarchive.sources.urls import Location, check_not_expired, display_url

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


@dataclass
class Stream:
    """An open download: its chunks, the size it announced, and how to close it."""

    chunks: Iterable[bytes]
    length: int | None
    etag: str | None
    close: Callable[[], None]


def fetch(
    location: Location,
    dest_dir: Path,
    options: FetchOptions | None = None,
    progress: FetchProgress | None = None,
) -> FetchedFile:
    """Download ``location`` into a new file in ``dest_dir``.

    Raises:
        ExpiredLinkError: a presigned link is past its expiry (nothing was downloaded).
        FetchError: the source failed; ``transient`` failures were retried first.
    """
    options = options or FetchOptions()
    if location.kind == "presigned":
        check_not_expired(location.url)
    started = time.monotonic()
    attempts = 0

    def attempt() -> FetchedFile:
        nonlocal attempts
        attempts += 1
        return _fetch_once(location, dest_dir, options, progress)

    retrying = Retrying(
        stop=stop_after_attempt(max(1, options.attempts)),
        wait=wait_exponential(multiplier=options.backoff, max=30),
        retry=retry_if_exception(lambda exc: isinstance(exc, FetchError) and exc.transient),
        reraise=True,
    )
    try:
        fetched = retrying(attempt)
    except FetchError as exc:
        if exc.transient and attempts > 1:
            raise FetchError(f"{exc} (gave up after {attempts} attempts)",
                             transient=True) from exc
        raise
    fetched.attempts = attempts
    fetched.seconds = time.monotonic() - started
    return fetched


def _fetch_once(location: Location, dest_dir: Path, options: FetchOptions,
                progress: FetchProgress | None) -> FetchedFile:
    name = display_url(location.url)
    stream = _open(location, options)
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix="fetch-", suffix=".part")
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    head = b""
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            try:
                for chunk in stream.chunks:
                    if not chunk:
                        continue
                    digest.update(chunk)
                    handle.write(chunk)
                    if len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
                    size += len(chunk)
                    if progress is not None:
                        progress(size, stream.length)
            except FetchError:
                raise
            except Exception as exc:  # noqa: BLE001 - every library's stream error is wrapped
                raise _stream_error(name, exc, size, stream.length) from exc
            finally:
                stream.close()
            handle.flush()
            os.fsync(handle.fileno())
        if stream.length is not None and size != stream.length:
            raise FetchError(
                f"{name}: download truncated: got {size} of {stream.length} bytes; "
                "the server closed early, try again later", transient=True)
        if size == 0:
            raise FetchError(f"{name}: the source is empty (0 bytes); check the link "
                             "or re-export the page")
        if location.kind != "local" and is_html(head):
            raise FetchError(
                f"{name}: got an HTML page instead of media (an error or login page?); "
                "open the link in a browser, or re-export the page for fresh links")
        kind, mime = detect_kind(head, location.filename)
        return FetchedFile(tmp, digest.hexdigest(), size, kind, mime, stream.etag, 1, 0.0)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _stream_error(name: str, exc: Exception, size: int, length: int | None) -> FetchError:
    if isinstance(exc, OSError) and exc.errno is not None \
            and not isinstance(exc, ConnectionError | TimeoutError):
        return FetchError(f"{name}: cannot write the download: {exc}")
    total = f" of {length}" if length is not None else ""
    text = f"{type(exc).__name__} {exc}".lower()
    what = "stalled" if "timed out" in text or "timeout" in text else "broke off"
    return FetchError(
        f"{name}: download {what} after {size}{total} bytes ({type(exc).__name__}); "
        "try again later", transient=True)


def _open(location: Location, options: FetchOptions) -> Stream:
    if location.kind == "local":
        return _open_local(location)
    if location.kind == "s3":
        body, length, etag = open_s3_object(
            location, endpoint_url=options.endpoint_url, timeout=options.timeout)
        return Stream(body.iter_chunks(CHUNK), length, etag, body.close)
    return _open_http(location, options)


def _open_local(location: Location) -> Stream:
    assert location.path is not None
    try:
        handle = open(location.path, "rb")
    except FileNotFoundError as exc:
        raise FetchError(f"{location.path}: no such file; check the path") from exc
    except IsADirectoryError as exc:
        raise FetchError(f"{location.path}: is a folder, not a file") from exc
    except OSError as exc:
        raise FetchError(f"{location.path}: cannot read it: {exc.strerror}") from exc
    length = os.fstat(handle.fileno()).st_size
    return Stream(iter(lambda: handle.read(CHUNK), b""), length, None, handle.close)


@lru_cache(maxsize=8)
def _pool(timeout: float) -> urllib3.PoolManager:
    retries = urllib3.Retry(total=False, connect=0, read=0, status=0, other=0, redirect=5)
    return urllib3.PoolManager(
        retries=retries, timeout=urllib3.Timeout(connect=timeout, read=timeout))


def _open_http(location: Location, options: FetchOptions) -> Stream:
    name = display_url(location.url)
    try:
        response = _pool(options.timeout).request(
            "GET", location.url, preload_content=False, decode_content=False)
    except urllib3.exceptions.MaxRetryError as exc:
        raise _connect_error(name, exc.reason or exc) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise _connect_error(name, exc) from exc
    status = response.status
    if status != 200:
        response.drain_conn()
        response.release_conn()
        raise http_status_error(name, status, presigned=location.kind == "presigned")
    header = response.headers.get("Content-Length")
    length = int(header) if header and header.isdigit() else None
    if response.headers.get("Content-Encoding", "identity") not in ("identity", ""):
        length = None  # the announced length is of the encoded bytes we store as they come

    def close() -> None:
        response.release_conn()

    return Stream(response.stream(CHUNK, decode_content=False), length,
                  response.headers.get("ETag"), close)


def _connect_error(name: str, exc: BaseException) -> FetchError:
    text = str(exc)
    if "Name or service not known" in text or "NameResolutionError" in type(exc).__name__ \
            or "nodename nor servname" in text or "getaddrinfo" in text.lower():
        return FetchError(f"{name}: the host name does not resolve (DNS); check the link "
                          "and your network", transient=True)
    if "timed out" in text.lower():
        return FetchError(f"{name}: the server did not answer in time; try again later",
                          transient=True)
    return FetchError(f"{name}: cannot connect ({type(exc).__name__}); check the link and "
                      "your network, then try again", transient=True)


def http_status_error(name: str, status: int, *, presigned: bool = False) -> FetchError:
    """The error for an HTTP status other than 200, with what to do about it."""
    if status == 404:
        return FetchError(f"{name}: not found (404); check the link, or re-export the page "
                          "if the file moved")
    if status in (401, 403):
        advice = ("the link may have expired or been revoked; re-export the page"
                  if presigned else
                  "the object is private; set AWS credentials with read access "
                  "(AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or use a "
                  "presigned link")
        return FetchError(f"{name}: access denied ({status}); {advice}")
    if status == 410:
        return FetchError(f"{name}: gone (410); re-export the page for fresh links")
    if status in (408, 429) or status >= 500:
        return FetchError(f"{name}: server error ({status}); try again later", transient=True)
    return FetchError(f"{name}: the server answered {status}; check the link")
