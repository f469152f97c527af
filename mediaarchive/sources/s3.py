"""S3 objects through boto3: the standard credential chain, unsigned when there is none.

``AWS_ENDPOINT_URL_S3`` (or ``AWS_ENDPOINT_URL``) sends every S3 form to that endpoint
(MinIO, a local test server); path-style addressing is used there.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.exceptions
from botocore import UNSIGNED
from botocore.config import Config

from mediaarchive.errors import FetchError
from mediaarchive.sources.urls import Location

_clients: dict[tuple[Any, ...], Any] = {}
_lock = threading.Lock()


def s3_endpoint_url() -> str | None:
    """The endpoint every S3 link goes to instead of AWS, if one is set."""
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


def s3_client(
    region: str | None = None, *, endpoint_url: str | None = None, timeout: float = 30.0
) -> Any:
    """A boto3 S3 client: signed with the standard chain's credentials, else unsigned."""
    endpoint_url = endpoint_url or s3_endpoint_url()
    session = boto3.session.Session()
    signed = session.get_credentials() is not None
    region = region or session.region_name or "us-east-1"
    cache_key = (
        region,
        endpoint_url,
        signed,
        timeout,
        os.environ.get("AWS_ACCESS_KEY_ID"),
        os.environ.get("AWS_PROFILE"),
    )
    with _lock:
        client = _clients.get(cache_key)
        if client is None:
            config = Config(
                signature_version=None if signed else UNSIGNED,
                connect_timeout=timeout,
                read_timeout=timeout,
                # Retries happen one level up, around the whole streamed download.
                retries={"max_attempts": 1, "mode": "standard"},
                s3={"addressing_style": "path" if endpoint_url else "auto"},
            )
            client = session.client(
                "s3", region_name=region, endpoint_url=endpoint_url, config=config
            )
            _clients[cache_key] = client
    return client


def open_s3_object(
    location: Location,
    *,
    endpoint_url: str | None = None,
    timeout: float = 30.0,
    offset: int = 0,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> tuple[Any, int | None, str | None, bool] | None:
    """(streaming body, length, ETag, resumed) of the object at ``location``.

    ``offset`` asks for the bytes from there on (``resumed`` says whether they came);
    ``if_match`` guards a resumed download against a changed object; with
    ``if_none_match`` None is returned when the object still has that ETag.

    Raises:
        FetchError: named after the link, with what to do; transient for 5xx and network.
    """
    assert location.bucket and location.key
    client = s3_client(location.region, endpoint_url=endpoint_url, timeout=timeout)
    name = location.url
    params: dict[str, Any] = {"Bucket": location.bucket, "Key": location.key}
    if offset:
        params["Range"] = f"bytes={offset}-"
        if if_match:
            params["IfMatch"] = if_match
    if if_none_match:
        params["IfNoneMatch"] = if_none_match
    try:
        response = client.get_object(**params)
    except botocore.exceptions.ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 304 and if_none_match:
            return None
        if status == 412 and offset:
            # The object changed since the first attempt: start over from the first byte.
            return open_s3_object(location, endpoint_url=endpoint_url, timeout=timeout)
        raise _client_error(name, exc) from exc
    except (
        botocore.exceptions.EndpointConnectionError,
        botocore.exceptions.ConnectTimeoutError,
        botocore.exceptions.ReadTimeoutError,
        botocore.exceptions.ConnectionClosedError,
    ) as exc:
        host = urlsplit(str(exc.kwargs.get("endpoint_url", ""))).netloc or "its endpoint"
        raise FetchError(
            f"{name}: cannot reach S3 at {host} ({type(exc).__name__}); check "
            "the network or AWS_ENDPOINT_URL_S3, then try again",
            transient=True,
        ) from exc
    except botocore.exceptions.BotoCoreError as exc:
        raise FetchError(f"{name}: S3 request failed: {exc}", transient=True) from exc
    resumed = bool(offset) and bool(response.get("ContentRange"))
    return response["Body"], response.get("ContentLength"), response.get("ETag"), resumed


def _client_error(name: str, exc: botocore.exceptions.ClientError) -> FetchError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in ("NoSuchKey", "404", "NotFound"):
        return FetchError(
            f"{name}: not found (404: no such key); check the link, or "
            "re-export the page if the file moved"
        )
    if code == "NoSuchBucket":
        return FetchError(f"{name}: the bucket does not exist (404); check the link")
    if status in (401, 403) or code in (
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "403",
    ):
        return FetchError(
            f"{name}: access denied ({status or 403} {code}); the object is private: set AWS "
            "credentials with read access (AWS_PROFILE or AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY), or use a presigned link"
        )
    if status in (408, 429) or status >= 500 or code in ("SlowDown", "InternalError"):
        return FetchError(
            f"{name}: S3 server error ({status} {code}); try again later", transient=True
        )
    return FetchError(f"{name}: S3 answered {status} {code}: {error.get('Message', '')}")
