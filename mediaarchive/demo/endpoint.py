"""Demo stage: a local S3-compatible endpoint holding the seed's assets."""

from __future__ import annotations

import logging
import os
import socket

import boto3
from botocore.config import Config

from mediaarchive import services
from mediaarchive.demo.base import DemoContext
from mediaarchive.demo.media import seed_objects
from mediaarchive.errors import ConfigError

_ENV = ("AWS_ENDPOINT_URL_S3",)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_endpoint(ctx: DemoContext) -> None:
    """Local S3 endpoint with the seed's bucket and keys"""
    from moto.server import ThreadedMotoServer

    page = services.demo.read_seed_page(ctx.seed_page)
    ctx.say("Making the media (German speech with espeak-ng, video with ffmpeg; cached)…")
    objects = seed_objects(page)
    # moto's server logs every request through werkzeug; the demo shows its own lines.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    try:
        server.start()
    except OSError as exc:
        raise ConfigError(
            f"cannot start the demo's S3 endpoint on 127.0.0.1:{port}: {exc}"
        ) from exc
    ctx.cleanup.callback(server.stop)
    ctx.endpoint = f"http://127.0.0.1:{port}"
    saved = {name: os.environ.get(name) for name in _ENV}
    ctx.cleanup.callback(_restore_env, saved)
    os.environ["AWS_ENDPOINT_URL_S3"] = ctx.endpoint
    client = boto3.client(
        "s3",
        endpoint_url=ctx.endpoint,
        region_name="us-west-2",
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
        config=Config(s3={"addressing_style": "path"}),
    )
    for bucket in sorted({bucket for bucket, _, _ in objects}):
        try:
            client.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
            )
        except client.exceptions.BucketAlreadyOwnedByYou:
            pass  # moto keeps its state per process: a second demo run finds it
    for bucket, key, path in objects:
        # Public objects, like Notion's: the ingest reaches them without credentials.
        client.upload_file(str(path), bucket, key, ExtraArgs={"ACL": "public-read"})
        ctx.say(f"  s3://{bucket}/{key}  ({path.stat().st_size / 1e6:.1f} MB)")
    ctx.say(f"Endpoint {ctx.endpoint} (AWS_ENDPOINT_URL_S3 points here)")
    ctx.data["seed_page"] = page


def _restore_env(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
