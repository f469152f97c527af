"""Every link form of the design resolves to the object a user means."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediaarchive.errors import ExpiredLinkError, UserError
from mediaarchive.sources.urls import check_not_expired, display_url, parse_location

KEY = "5003814a-259b-4a07-89ec-3c5d9230cc69/Labcamp4_Hallerberg.mp4"


@pytest.mark.parametrize(
    "url, region",
    [
        (f"s3://secure.notion-static.com/{KEY}", None),
        (f"https://s3-us-west-2.amazonaws.com/secure.notion-static.com/{KEY}", "us-west-2"),
        (f"https://s3.us-west-2.amazonaws.com/secure.notion-static.com/{KEY}", "us-west-2"),
        (f"https://s3.amazonaws.com/secure.notion-static.com/{KEY}", None),
        (f"https://secure.notion-static.com.s3.us-west-2.amazonaws.com/{KEY}", "us-west-2"),
        (f"https://secure.notion-static.com.s3-us-west-2.amazonaws.com/{KEY}", "us-west-2"),
        (f"https://secure.notion-static.com.s3.amazonaws.com/{KEY}", None),
        (f"http://s3.eu-central-1.amazonaws.com/secure.notion-static.com/{KEY}", "eu-central-1"),
    ],
)
def test_every_s3_form_names_the_same_object(url: str, region: str | None) -> None:
    location = parse_location(url)
    assert (location.kind, location.bucket, location.key) == ("s3", "secure.notion-static.com", KEY)
    assert location.region == region
    assert location.filename == "Labcamp4_Hallerberg.mp4"


def test_percent_encoded_keys_are_decoded() -> None:
    location = parse_location("https://s3-us-west-2.amazonaws.com/b/x/Bildschirmfoto%202021.png")
    assert location.key == "x/Bildschirmfoto 2021.png"


def test_signed_links_are_presigned_and_plain_links_http(tmp_path) -> None:  # type: ignore[no-untyped-def]
    signed = (
        f"https://s3.us-west-2.amazonaws.com/secure.notion-static.com/{KEY}"
        "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20210713T112218Z"
        "&X-Amz-Expires=86400&X-Amz-Signature=abc&X-Amz-SignedHeaders=host"
    )
    assert parse_location(signed).kind == "presigned"
    assert parse_location("https://stadtlabor-soest.de/video.mp4").kind == "http"
    local = parse_location("talks/keynote.mp4", base=tmp_path)
    assert local.kind == "local" and local.path == tmp_path / "talks" / "keynote.mp4"


def test_expired_presigned_link_is_reported_with_advice() -> None:
    url = (
        f"https://s3.us-west-2.amazonaws.com/b/{KEY}?X-Amz-Date=20210713T112218Z"
        "&X-Amz-Expires=3600&X-Amz-Signature=abc"
    )
    with pytest.raises(ExpiredLinkError) as caught:
        check_not_expired(url)
    assert "expired on 2021-07-13 12:22 UTC" in str(caught.value)
    assert "re-export the page" in str(caught.value)
    assert "Signature" not in str(caught.value)  # no secrets in messages
    check_not_expired(url, now=datetime(2021, 7, 13, 11, 30, tzinfo=UTC))


def test_sigv2_expires_is_understood() -> None:
    with pytest.raises(ExpiredLinkError):
        check_not_expired(
            "https://b.s3.amazonaws.com/k.png?AWSAccessKeyId=A&Expires=1600000000&Signature=x"
        )
    assert display_url("https://h/k.png?Expires=1&Signature=x") == "https://h/k.png?…"


def test_s3_link_without_key_is_a_user_error() -> None:
    with pytest.raises(UserError, match="needs a bucket and a key"):
        parse_location("s3://bucket-only")
