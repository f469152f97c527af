"""Fetching over the wire: the real moto S3 server, a local HTTP server that fails on demand.

Every test runs ``mediaarchive ingest`` and checks what the user sees: the JSON results,
the error lines, the exit code and what the archive holds afterwards.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import requests

from tests.fixtures.sources import S3Objects

pytestmark = pytest.mark.usefixtures("fast_retries")


def ingest_json(cli, *sources: str):  # type: ignore[no-untyped-def]
    result = cli("ingest", "--no-process", "--json", *sources)
    return result, json.loads(result.stdout)


def stored_blobs(home: Path) -> list[Path]:
    return (
        sorted(p for p in (home / "store" / "sha256").rglob("*") if p.is_file())
        if (home / "store" / "sha256").exists()
        else []
    )


def leftovers(home: Path) -> list[Path]:
    tmp = home / "store" / "tmp"
    return list(tmp.iterdir()) if tmp.exists() else []


@pytest.mark.usefixtures("s3_env")
def test_every_s3_url_form_goes_to_the_endpoint(cli, home, s3_objects: S3Objects, media) -> None:
    bucket = s3_objects.bucket()
    s3_objects.put(bucket, "talks/keynote.mp4", media.mp4)
    forms = [
        f"s3://{bucket}/talks/keynote.mp4",
        f"https://s3-us-west-2.amazonaws.com/{bucket}/talks/keynote.mp4",
        f"https://s3.us-west-2.amazonaws.com/{bucket}/talks/keynote.mp4",
        f"https://s3.amazonaws.com/{bucket}/talks/keynote.mp4",
        f"https://{bucket}.s3.us-west-2.amazonaws.com/talks/keynote.mp4",
        f"https://{bucket}.s3-us-west-2.amazonaws.com/talks/keynote.mp4",
    ]
    result, entries = ingest_json(cli, *forms)
    assert result.exit_code == 0, result.stderr
    sha = hashlib.sha256(media.mp4).hexdigest()
    assert [e["sha256"] for e in entries] == [sha] * len(forms)
    assert [e["created"] for e in entries] == [True] + [False] * (len(forms) - 1)
    assert {e["kind"] for e in entries} == {"video"}
    assert stored_blobs(home) == [home / "store" / "sha256" / sha[:2] / sha[2:4] / sha]
    show = json.loads(cli("show", sha[:8], "--json").stdout)
    # One asset, one source link per form (fetched side by side: recorded as they finish).
    assert sorted(show["source_urls"]) == sorted(forms)


@pytest.mark.usefixtures("s3_env", "no_aws_credentials")
def test_public_object_without_credentials_is_fetched_unsigned(cli, s3_objects, media) -> None:
    bucket = s3_objects.bucket("public")
    s3_objects.put(bucket, "board.png", media.png, public=True)
    s3_objects.put(bucket, "private.png", media.other_png, public=False)
    result, entries = ingest_json(cli, f"s3://{bucket}/board.png", f"s3://{bucket}/private.png")
    assert result.exit_code == 1
    assert entries[0]["kind"] == "image" and entries[0]["error"] is None
    assert entries[1]["error"] is not None and entries[1]["id"] is None
    assert f"s3://{bucket}/private.png: access denied (403" in result.stderr
    assert "set AWS credentials" in result.stderr


@pytest.mark.usefixtures("s3_env")
def test_private_object_with_credentials_is_fetched(cli, s3_objects, media) -> None:
    bucket = s3_objects.bucket("private")
    s3_objects.put(bucket, "board.png", media.png, public=False)
    result, entries = ingest_json(cli, f"s3://{bucket}/board.png")
    assert result.exit_code == 0, result.stderr
    assert entries[0]["created"] is True


@pytest.mark.usefixtures("s3_env")
def test_enforced_authentication_rejects_unknown_keys(
    cli, s3_endpoint, s3_objects, media, monkeypatch
) -> None:
    """moto checks signatures only when told to (POST /moto-api/reset-auth, its documented
    switch): then an unknown access key is refused and an IAM user's key works."""
    import boto3

    bucket = s3_objects.bucket("locked")
    s3_objects.put(bucket, "talk.mp4", media.mp4, public=False)
    iam = boto3.client(
        "iam",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    user = f"archivist-{bucket}"
    iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=user,
        PolicyName="read",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            }
        ),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    requests.post(f"{s3_endpoint}/moto-api/reset-auth", data=b"0", timeout=10)
    try:
        result, entries = ingest_json(cli, f"s3://{bucket}/talk.mp4")
        assert result.exit_code == 1
        assert "access denied (403 InvalidAccessKeyId)" in result.stderr
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        result, entries = ingest_json(cli, f"s3://{bucket}/talk.mp4")
        assert result.exit_code == 0, result.stderr
        assert entries[0]["kind"] == "video"
    finally:
        requests.post(f"{s3_endpoint}/moto-api/reset-auth", data=b"inf", timeout=10)


@pytest.mark.usefixtures("s3_env")
def test_missing_key_is_one_line_and_others_go_on(cli, home, s3_objects, media) -> None:
    bucket = s3_objects.bucket()
    s3_objects.put(bucket, "ok.png", media.png)
    result, entries = ingest_json(cli, f"s3://{bucket}/gone.mp4", f"s3://{bucket}/ok.png")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        f"Error: s3://{bucket}/gone.mp4: not found (404: no such key); check the "
        "link, or re-export the page if the file moved"
    ]
    assert entries[1]["created"] is True
    assert len(stored_blobs(home)) == 1 and leftovers(home) == []


@pytest.mark.usefixtures("s3_env", "no_aws_credentials")
def test_presigned_link_is_fetched_as_given(cli, s3_objects, media) -> None:
    bucket = s3_objects.bucket("signed")
    s3_objects.put(bucket, "secret.png", media.png, public=False)
    url = s3_objects.presign(bucket, "secret.png")
    assert "X-Amz-Signature" in url
    result, entries = ingest_json(cli, url)
    assert result.exit_code == 0, result.stderr
    assert entries[0]["kind"] == "image"
    assert "X-Amz-Signature" not in entries[0]["source_url"]  # signatures stay out of output


def test_expired_presigned_link_is_reported_before_any_download(cli, home, flaky_server) -> None:
    flaky_server.add("/b/talk.mp4", b"never fetched")
    url = (
        f"{flaky_server.url}/b/talk.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Date=20210713T112218Z&X-Amz-Expires=604800&X-Amz-Signature=0f"
    )
    result, entries = ingest_json(cli, url)
    assert result.exit_code == 1
    assert "the presigned link expired on 2021-07-20 11:22 UTC; re-export the page" in result.stderr
    assert flaky_server.requests == []
    assert entries[0]["state"] == "failed" and stored_blobs(home) == []


def test_plain_http_link(cli, flaky_server, media) -> None:
    url = flaky_server.add("/media/keynote", media.mp4, "application/octet-stream")
    result, entries = ingest_json(cli, url)
    assert result.exit_code == 0, result.stderr
    # No extension, a generic content type: the kind comes from the bytes.
    assert entries[0]["kind"] == "video"


def test_transient_failures_are_retried(cli, flaky_server, media) -> None:
    url = flaky_server.add("/talk.mp4", media.mp4)
    flaky_server.fail("/talk.mp4", "503", "truncate")
    result, entries = ingest_json(cli, url)
    assert result.exit_code == 0, result.stderr
    assert flaky_server.served("/talk.mp4") == ["503", "truncate", "ok"]
    show = json.loads(cli("show", entries[0]["id"], "--json").stdout)
    assert show["steps"][0]["name"] == "fetch" and show["steps"][0]["attempts"] == 3


@pytest.mark.parametrize(
    "failure, message",
    [
        ("truncate", "download broke off after"),
        ("stall", "download stalled after"),
        ("503", "server error (503); try again later"),
    ],
)
@pytest.mark.usefixtures("short_fetch_timeout")
def test_persistent_failures_give_up_cleanly(
    cli, home, flaky_server, media, failure, message
) -> None:
    url = flaky_server.add("/talk.mp4", media.mp4)
    flaky_server.fail("/talk.mp4", *[failure] * 4)  # one more than the attempts
    result, entries = ingest_json(cli, url)
    assert result.exit_code == 1
    assert message in result.stderr and "gave up after 3 attempts" in result.stderr
    assert flaky_server.served("/talk.mp4") == [failure] * 3
    assert stored_blobs(home) == [] and leftovers(home) == []
    assert cli("status", "--json").stdout.strip() == "[]"


@pytest.mark.parametrize(
    "failure, message",
    [
        ("html", "got an HTML page instead of media"),
        ("empty", "the source is empty (0 bytes)"),
        ("404", "not found (404)"),
        ("403", "access denied (403)"),
    ],
)
def test_bad_answers_are_not_archived(cli, home, flaky_server, media, failure, message) -> None:
    url = flaky_server.add("/x/004.png", media.png)
    flaky_server.fail("/x/004.png", failure)
    result, _ = ingest_json(cli, url)
    assert result.exit_code == 1
    assert message in result.stderr
    assert flaky_server.served("/x/004.png") == [failure]  # not worth retrying
    assert stored_blobs(home) == [] and leftovers(home) == []


@pytest.mark.usefixtures("s3_env")
def test_s3_download_broken_off_is_retried(cli, monkeypatch, s3_objects, flaky_s3, media) -> None:
    bucket = s3_objects.bucket()
    s3_objects.put(bucket, "talks/keynote.mp4", media.mp4)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", flaky_s3.url)
    flaky_s3.fail(f"/{bucket}/talks/keynote.mp4", "truncate", "500")
    result, entries = ingest_json(
        cli, f"https://s3-us-west-2.amazonaws.com/{bucket}/talks/keynote.mp4"
    )
    assert result.exit_code == 0, result.stderr
    assert entries[0]["sha256"] == hashlib.sha256(media.mp4).hexdigest()
    assert flaky_s3.served(f"/{bucket}/talks/keynote.mp4") == ["truncate", "500", "ok"]


@pytest.mark.usefixtures("s3_env", "short_fetch_timeout")
def test_s3_stall_times_out(cli, home, monkeypatch, s3_objects, flaky_s3, media) -> None:
    bucket = s3_objects.bucket()
    s3_objects.put(bucket, "keynote.mp4", media.mp4)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", flaky_s3.url)
    flaky_s3.fail(f"/{bucket}/keynote.mp4", "stall", "stall", "stall", "stall")
    result, _ = ingest_json(cli, f"s3://{bucket}/keynote.mp4")
    assert result.exit_code == 1
    assert "stalled" in result.stderr and "gave up after 3 attempts" in result.stderr
    assert flaky_s3.served(f"/{bucket}/keynote.mp4") == ["stall"] * 3
    assert stored_blobs(home) == [] and leftovers(home) == []


def test_unresolvable_host(cli) -> None:
    result, entries = ingest_json(cli, "https://no-such-host.invalid/talk.mp4")
    assert result.exit_code == 1
    assert "does not resolve (DNS)" in result.stderr
    assert entries[0]["error"]


def test_broken_download_resumes_where_it_stopped(cli, flaky_server, media) -> None:
    url = flaky_server.add("/talk.mp4", media.mp4)
    flaky_server.fail("/talk.mp4", "truncate")
    result, entries = ingest_json(cli, url)
    assert result.exit_code == 0, result.stderr
    assert entries[0]["sha256"] == hashlib.sha256(media.mp4).hexdigest()
    assert flaky_server.ranges == [None, f"bytes={len(media.mp4) // 2}-"]
    assert flaky_server.sent_bytes == len(media.mp4)  # nothing was downloaded twice


def test_reingest_of_an_unchanged_link_downloads_nothing(cli, flaky_server, media) -> None:
    url = flaky_server.add("/board.png", media.png)
    ingest_json(cli, url)
    sent = flaky_server.sent_bytes
    result, entries = ingest_json(cli, url)
    assert result.exit_code == 0 and entries[0]["created"] is False
    assert flaky_server.sent_bytes == sent
    # When the bytes behind the link change, the new bytes are archived.
    flaky_server.add("/board.png", media.other_png)
    result, entries = ingest_json(cli, url)
    assert entries[0]["created"] is True
    assert entries[0]["sha256"] == hashlib.sha256(media.other_png).hexdigest()


@pytest.mark.usefixtures("s3_env")
def test_s3_resume_and_unchanged_reingest(cli, monkeypatch, s3_objects, flaky_s3, media) -> None:
    bucket = s3_objects.bucket()
    s3_objects.put(bucket, "keynote.mp4", media.mp4)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", flaky_s3.url)
    path = f"/{bucket}/keynote.mp4"
    flaky_s3.fail(path, "truncate")
    result, entries = ingest_json(cli, f"s3://{bucket}/keynote.mp4")
    assert result.exit_code == 0, result.stderr
    assert entries[0]["sha256"] == hashlib.sha256(media.mp4).hexdigest()
    assert flaky_s3.ranges[-1] == f"bytes={len(media.mp4) // 2}-"
    sent = flaky_s3.sent_bytes
    result, entries = ingest_json(cli, f"s3://{bucket}/keynote.mp4")
    assert result.exit_code == 0 and entries[0]["created"] is False
    assert flaky_s3.sent_bytes == sent


@pytest.mark.usefixtures("s3_env")
def test_large_object_is_archived_whole_and_unchanged(cli, home, s3_objects) -> None:
    # 70 MB: dozens of chunks through the hashing thread, writeback started twice on the way.
    data = bytes(range(256)) * (70_000_000 // 256) + b"Schluss"
    bucket = s3_objects.bucket()
    s3_objects.put(bucket, "aufzeichnung/tag1.mkv", data)
    result, entries = ingest_json(cli, f"s3://{bucket}/aufzeichnung/tag1.mkv")
    assert result.exit_code == 0, result.stderr
    sha256 = hashlib.sha256(data).hexdigest()
    assert entries[0]["sha256"] == sha256 and entries[0]["size"] == len(data)
    [blob] = stored_blobs(home)
    assert blob.name == sha256
    assert hashlib.sha256(blob.read_bytes()).hexdigest() == sha256
    assert "zero" not in result.stderr  # one byte in 256 is zero: no mostly-zero warning
    assert leftovers(home) == []
    assert cli("verify").exit_code == 0
