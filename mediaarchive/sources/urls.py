"""What a source string points at: an S3 object, a presigned link, a plain link or a local file.

Every S3 URL form resolves to the same ``Location(kind="s3", bucket, key)``:
``s3://bucket/key``, path-style ``https://s3[-.]REGION.amazonaws.com/bucket/key`` and
``https://s3.amazonaws.com/bucket/key``, virtual-hosted ``https://bucket.s3[-.]REGION.amazonaws.com/key``.
A link with a signature in its query is "presigned" and is fetched exactly as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from mediaarchive.errors import ExpiredLinkError, UserError

#: s3.amazonaws.com, s3-us-west-2.amazonaws.com, s3.eu-central-1.amazonaws.com,
#: s3.dualstack.us-east-1.amazonaws.com, s3-external-1.amazonaws.com
_S3_HOST = re.compile(
    r"^s3(?:[.-](?:dualstack\.)?(?P<region>[a-z0-9-]+?))?\.amazonaws\.com(?:\.cn)?$"
)
#: bucket.s3.amazonaws.com, bucket.s3-us-west-2.amazonaws.com, bucket.s3.eu-west-1.amazonaws.com
_S3_VHOST = re.compile(
    r"^(?P<bucket>.+?)\.s3(?:[.-](?:dualstack\.)?(?P<region>[a-z0-9-]+?))?\.amazonaws\.com(?:\.cn)?$"
)
_SIGNATURE_PARAMS = ("x-amz-signature", "signature")


@dataclass(frozen=True)
class Location:
    """A resolved source.

    ``kind`` is ``s3`` (fetched with boto3), ``presigned`` or ``http`` (fetched over HTTP as
    given) or ``local`` (a file or folder).
    """

    kind: str
    url: str
    bucket: str | None = None
    key: str | None = None
    region: str | None = None
    path: Path | None = None

    @property
    def filename(self) -> str:
        """The last part of the key, path or URL path (for titles and messages)."""
        if self.path is not None:
            return self.path.name
        if self.key:
            return self.key.rsplit("/", 1)[-1]
        return unquote(urlsplit(self.url).path.rstrip("/").rsplit("/", 1)[-1]) or self.url


def is_url(source: str) -> bool:
    """True for s3:// and http(s):// sources."""
    return bool(re.match(r"^(s3|https?)://", source, re.IGNORECASE))


def is_presigned(url: str) -> bool:
    """True when the query carries a signature (SigV4 ``X-Amz-Signature`` or SigV2)."""
    query = {name.lower() for name in parse_qs(urlsplit(url).query)}
    return any(name in query for name in _SIGNATURE_PARAMS)


def s3_host_match(host: str) -> tuple[str | None, str | None] | None:
    """(bucket or None, region or None) when ``host`` is an AWS S3 host, else None."""
    host = host.lower()
    if match := _S3_HOST.match(host):
        return None, _region(match.group("region"))
    if match := _S3_VHOST.match(host):
        return match.group("bucket"), _region(match.group("region"))
    return None


def _region(found: str | None) -> str | None:
    if not found or found.startswith("external"):
        return None
    return found


def parse_location(source: str, *, base: Path | None = None) -> Location:
    """Resolve a source string to a ``Location``.

    Args:
        source: a URL or a local path.
        base: folder against which relative paths resolve (a page's or manifest's folder).

    Raises:
        UserError: an s3:// URL without a key, or an unsupported scheme.
    """
    source = source.strip()
    if not is_url(source):
        if re.match(r"^[a-z][a-z0-9+.-]*://", source, re.IGNORECASE) and not source.startswith(
            "file://"
        ):
            raise UserError(f"{source}: unsupported link (use s3://, http(s):// or a path)")
        raw = unquote(source.removeprefix("file://"))
        path = Path(raw).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        return Location("local", str(path), path=path)
    parts = urlsplit(source)
    scheme = parts.scheme.lower()
    if scheme == "s3":
        bucket = parts.netloc
        key = unquote(parts.path.lstrip("/"))
        if not bucket or not key:
            raise UserError(f"{source}: an s3:// link needs a bucket and a key (s3://bucket/key)")
        return Location("s3", source, bucket=bucket, key=key)
    if is_presigned(source):
        return Location("presigned", source)
    matched = s3_host_match(parts.hostname or "")
    if matched is not None:
        bucket, region = matched
        path = unquote(parts.path.lstrip("/"))
        if bucket is None:
            bucket, _, path = path.partition("/")
        if bucket and path:
            return Location("s3", source, bucket=bucket, key=path, region=region)
    return Location("http", source)


def presigned_expiry(url: str) -> datetime | None:
    """When a presigned link stops working, or None if it does not say.

    SigV4 links carry ``X-Amz-Date`` (signing time) and ``X-Amz-Expires`` (seconds);
    SigV2 links carry ``Expires`` (a Unix time).
    """
    query = {name.lower(): values[-1] for name, values in parse_qs(urlsplit(url).query).items()}
    if "x-amz-date" in query and "x-amz-expires" in query:
        try:
            signed = datetime.strptime(query["x-amz-date"], "%Y%m%dT%H%M%SZ")
            seconds = int(query["x-amz-expires"])
        except ValueError:
            return None
        return signed.replace(tzinfo=UTC) + timedelta(seconds=seconds)
    if "expires" in query:
        try:
            return datetime.fromtimestamp(int(query["expires"]), tz=UTC)
        except (ValueError, OverflowError):
            return None
    return None


def check_not_expired(url: str, *, now: datetime | None = None) -> None:
    """Raise ``ExpiredLinkError`` for a presigned link past its expiry (before any download)."""
    expiry = presigned_expiry(url)
    if expiry is None:
        return
    now = now or datetime.now(UTC)
    if expiry <= now:
        raise ExpiredLinkError(
            f"{display_url(url)}: the presigned link expired on "
            f"{expiry:%Y-%m-%d %H:%M} UTC; re-export the page (or re-sign the link) and "
            "ingest again"
        )


def display_url(url: str) -> str:
    """The URL without its query (signatures and tokens stay out of messages)."""
    parts = urlsplit(url)
    if parts.query and is_presigned(url):
        return f"{parts.scheme}://{parts.netloc}{parts.path}?…"
    return url
