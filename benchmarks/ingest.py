"""Benchmark: ingest a large object from a local S3 endpoint vs. plain boto3 ``download_file``.

Starts moto's S3 server in its own process on 127.0.0.1, uploads a random object (1 GiB by
default), then, side by side in the same run and alternating:

* baseline: ``boto3 ... download_file`` (what ``aws s3 cp`` does: ranged parts in threads),
* baseline: one plain ``get_object`` stream written to a file (no hashing),
* ``mediaarchive ingest --no-process s3://bucket/key`` (stream + sha256 + store + record),

each in a fresh subprocess, so its wall time and peak RSS are its own. A smaller object is
ingested too, to show that peak RSS does not grow with the size.

    .venv/bin/python benchmarks/ingest.py [--size-mib 1024] [--small-mib 128] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUCKET = "benchmark-media"
CHUNK = 8 * 1024 * 1024
BIN = Path(sys.executable).parent

BASELINE_DOWNLOAD_FILE = """
import sys, boto3
from botocore.config import Config
client = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                      aws_access_key_id="bench", aws_secret_access_key="bench",
                      config=Config(s3={"addressing_style": "path"}))
client.download_file(sys.argv[2], sys.argv[3], sys.argv[4])
"""

BASELINE_GET_OBJECT = """
import sys, boto3
from botocore.config import Config
client = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                      aws_access_key_id="bench", aws_secret_access_key="bench",
                      config=Config(s3={"addressing_style": "path"}))
body = client.get_object(Bucket=sys.argv[2], Key=sys.argv[3])["Body"]
with open(sys.argv[4], "wb") as out:
    for chunk in body.iter_chunks(1024 * 1024):
        out.write(chunk)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[:3]} failed: {stderr[-800:]}")
    return seconds, usage.ru_maxrss / 1024


def make_object(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        remaining = size
        while remaining:
            block = os.urandom(min(CHUNK, remaining))
            handle.write(block)
            remaining -= len(block)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--small-mib", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--no-download-file",
        action="store_true",
        help="skip the download_file baseline (moto answers every ranged GET "
        "by reading the whole object, so it is very slow there)",
    )
    args = parser.parse_args()

    import boto3
    from botocore.config import Config

    work = Path(tempfile.mkdtemp(prefix="mediaarchive-bench-"))
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            config=Config(s3={"addressing_style": "path"}),
        )
        client.create_bucket(Bucket=BUCKET)
        sizes = {"big": args.size_mib * 1024 * 1024, "small": args.small_mib * 1024 * 1024}
        for name, size in sizes.items():
            source = work / f"{name}.bin"
            make_object(source, size)
            client.upload_file(str(source), BUCKET, f"talks/{name}.bin")
            source.unlink()
        print(
            f"moto S3 server at {endpoint}; objects: "
            + ", ".join(f"{n} {s / 2**20:.0f} MiB" for n, s in sizes.items()),
            flush=True,
        )

        env = {
            **os.environ,
            "AWS_ENDPOINT_URL_S3": endpoint,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        rows: dict[str, list[tuple[float, float, int]]] = {}

        def record(label: str, size: int, cmd: list[str]) -> None:
            seconds, rss = run_measured(cmd, env)
            rows.setdefault(label, []).append((seconds, rss, size))
            print(
                f"  {label:<44} {seconds:7.2f} s  {size / 2**20 / seconds:7.1f} MiB/s  "
                f"peak RSS {rss:6.1f} MB",
                flush=True,
            )

        big = sizes["big"]
        for round_number in range(args.rounds):
            print(f"round {round_number + 1}", flush=True)
            target = work / "download.bin"
            if not args.no_download_file:
                record(
                    "boto3 download_file (baseline)",
                    big,
                    [
                        sys.executable,
                        "-c",
                        BASELINE_DOWNLOAD_FILE,
                        endpoint,
                        BUCKET,
                        "talks/big.bin",
                        str(target),
                    ],
                )
                target.unlink(missing_ok=True)
            record(
                "boto3 get_object stream (baseline)",
                big,
                [
                    sys.executable,
                    "-c",
                    BASELINE_GET_OBJECT,
                    endpoint,
                    BUCKET,
                    "talks/big.bin",
                    str(target),
                ],
            )
            target.unlink(missing_ok=True)
            home = work / f"home-{round_number}"
            record(
                "mediaarchive ingest --no-process",
                big,
                [
                    str(BIN / "mediaarchive"),
                    "--home",
                    str(home),
                    "ingest",
                    "--no-process",
                    f"s3://{BUCKET}/talks/big.bin",
                ],
            )
            shutil.rmtree(home, ignore_errors=True)
        home = work / "home-small"
        record(
            f"mediaarchive ingest ({args.small_mib} MiB object)",
            sizes["small"],
            [
                str(BIN / "mediaarchive"),
                "--home",
                str(home),
                "ingest",
                "--no-process",
                f"s3://{BUCKET}/talks/small.bin",
            ],
        )

        print()
        print(f"| {'run':<44} | MiB/s (median) | peak RSS MB (max) |")
        print(f"|{'-' * 46}|----------------|-------------------|")
        medians = {}
        for label, values in rows.items():
            speed = statistics.median(size / 2**20 / s for s, _, size in values)
            medians[label] = speed
            print(f"| {label:<44} | {speed:14.1f} | {max(r for _, r, _ in values):17.1f} |")
        ingest = medians["mediaarchive ingest --no-process"]
        for label in ("boto3 download_file (baseline)", "boto3 get_object stream (baseline)"):
            if label in medians:
                print(f"ingest / {label}: {ingest / medians[label]:.2f}x")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
