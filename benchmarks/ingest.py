"""Benchmark: ingest a large object from a local S3 endpoint vs. one plain boto3 ``get_object``.

Starts moto's S3 server in its own process on 127.0.0.1, uploads a random object (1 GiB by
default), then, side by side in the same run, alternating which goes first each round:

* baseline: one plain ``get_object`` stream written to a file (no hashing, no fsync), as a
  user would script it,
* ``python -m mediaarchive ingest --no-process s3://bucket/key``: the archive's ingest
  (stream to a ``.part`` file + sha256 + fsync + rename into the store + DB record),
  into an archive that exists already (made by ingesting a small file before the timer),
* optionally (``--download-file``) ``boto3 download_file``, what ``aws s3 cp`` does
  (ranged parts in threads; moto answers every ranged GET by reading the whole object,
  so it is very slow there),

each in a fresh subprocess, so its wall time and peak RSS are its own. Reported: medians,
spreads (min-max) and the ratio of the ingest's throughput to the baseline's (of the medians,
and the median of each round's ratio), peak RSS, the load average around each run, and the
ingest's own profile (``MEDIAARCHIVE_PROFILE``) of its last round. A smaller object is
ingested too (peak RSS must not grow with the size), and one ingest into a new archive
(that one also creates and migrates the database).

The package is run as ``python -m mediaarchive`` with this interpreter, so ``PYTHONPATH``
chooses the checkout that is measured.

    .venv/bin/python benchmarks/ingest.py [--size-mib 1024] [--small-mib 128] [--rounds 3]
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
INGEST = "mediaarchive ingest --no-process"
GET_OBJECT = "boto3 get_object stream (baseline)"
DOWNLOAD_FILE = "boto3 download_file"

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


#: Starts a command and reports its wall time and peak RSS. The benchmark itself does not
#: fork the command: on Linux a child's ru_maxrss starts from the RSS of the process that
#: forked it (kept across exec), so every figure read ~95 MB, the benchmark's own size.
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one child process."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".txt") as result:
        process = subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, result.name, *cmd],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        seconds, rss_kib, code = result.read().split()
    if int(code) != 0 or process.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed: {process.stderr.decode()[-800:]}")
    return float(seconds), int(rss_kib) / 1024


def make_object(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        remaining = size
        while remaining:
            block = os.urandom(min(CHUNK, remaining))
            handle.write(block)
            remaining -= len(block)


def load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def ingest_command(home: Path, url: str) -> list[str]:
    package = [sys.executable, "-m", "mediaarchive"]
    return [*package, "--home", str(home), "ingest", "--no-process", url]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--small-mib", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--download-file",
        action="store_true",
        help="also time boto3 download_file (very slow on moto, see above)",
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
            + ", ".join(f"{n} {s / 2**20:.0f} MiB" for n, s in sizes.items())
            + f"; {os.cpu_count()} cores",
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
        loads: list[str] = []

        def record(
            label: str, size: int, cmd: list[str], extra: dict[str, str] | None = None
        ) -> None:
            before = load()
            seconds, rss = run_measured(cmd, {**env, **(extra or {})})
            loads.append(before)
            rows.setdefault(label, []).append((seconds, rss, size))
            print(
                f"  {label:<44} {seconds:7.2f} s  {size / 2**20 / seconds:7.1f} MiB/s  "
                f"peak RSS {rss:6.1f} MB  load {before} -> {load()}",
                flush=True,
            )

        def prepared_home(name: str) -> Path:
            """An archive in use: made (and migrated) by ingesting a small file, untimed."""
            home = work / name
            seed = work / "seed.txt"
            seed.write_text(f"notes of {name}\n")
            run_measured(ingest_command(home, str(seed)), env)
            return home

        big = sizes["big"]
        target = work / "download.bin"
        profile = work / "ingest-profile.txt"

        def baseline() -> None:
            get_object = [sys.executable, "-c", BASELINE_GET_OBJECT, endpoint, BUCKET]
            record(GET_OBJECT, big, [*get_object, "talks/big.bin", str(target)])
            target.unlink(missing_ok=True)

        def ingest(round_number: int) -> None:
            home = prepared_home(f"home-{round_number}")
            url = f"s3://{BUCKET}/talks/big.bin"
            record(INGEST, big, ingest_command(home, url), {"MEDIAARCHIVE_PROFILE": str(profile)})
            shutil.rmtree(home, ignore_errors=True)

        for round_number in range(args.rounds):
            print(f"round {round_number + 1}", flush=True)
            if args.download_file:
                download_file = [sys.executable, "-c", BASELINE_DOWNLOAD_FILE, endpoint, BUCKET]
                record(DOWNLOAD_FILE, big, [*download_file, "talks/big.bin", str(target)])
                target.unlink(missing_ok=True)
            # Alternate which goes first: a page cache or a load that changes in the
            # middle of a round does not favour one side.
            if round_number % 2 == 0:
                baseline()
                ingest(round_number)
            else:
                ingest(round_number)
                baseline()
        home = prepared_home("home-small")
        record(
            f"mediaarchive ingest ({args.small_mib} MiB object)",
            sizes["small"],
            ingest_command(home, f"s3://{BUCKET}/talks/small.bin"),
        )
        record(
            f"{INGEST} into a new archive",
            big,
            ingest_command(work / "home-new", f"s3://{BUCKET}/talks/big.bin"),
        )
        shutil.rmtree(work / "home-new", ignore_errors=True)

        print()
        print(f"| {'run':<44} | s (median) | spread s | MiB/s | peak RSS MB (max) |")
        print(f"|{'-' * 46}|-----------:|---------:|------:|------------------:|")
        medians = {}
        for label, values in rows.items():
            seconds = [s for s, _, _ in values]
            median = statistics.median(seconds)
            medians[label] = median
            spread = f"{min(seconds):.2f}-{max(seconds):.2f}"
            speed = values[0][2] / 2**20 / median
            rss = max(r for _, r, _ in values)
            print(f"| {label:<44} | {median:10.2f} | {spread:>8} | {speed:5.0f} | {rss:17.1f} |")
        per_round = [
            base / ingested
            for (base, _, _), (ingested, _, _) in zip(rows[GET_OBJECT], rows[INGEST], strict=True)
        ]
        print(
            f"ingest / get_object throughput: {medians[GET_OBJECT] / medians[INGEST]:.2f}x "
            f"(of the medians); per round "
            + ", ".join(f"{r:.2f}" for r in per_round)
            + f", median {statistics.median(per_round):.2f}x"
        )
        if DOWNLOAD_FILE in medians:
            print(f"ingest / download_file: {medians[DOWNLOAD_FILE] / medians[INGEST]:.2f}x")
        print(f"load average (1/5/15 min) before each run: {', '.join(loads)}")
        print("\nprofile of the last ingest round (MEDIAARCHIVE_PROFILE):")
        print(profile.read_text(encoding="utf-8") if profile.exists() else "(none)")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
