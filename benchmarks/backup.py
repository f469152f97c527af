"""Backup at size: an archive with GiB of generated blobs backed up twice with
``mediaarchive backup`` (each a process of its own), against ``cp -a`` of the home.

Reports seconds, bytes and files copied (target for the second backup: no blob), and the
peak RSS of the backup processes (target < 300 MB). The blobs are random bytes put into the
store and recorded as assets directly (the set-up is not what is measured).

    .venv/bin/python benchmarks/backup.py [--gib 10] [--files 40] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from asr_common import load_average  # noqa: E402

from mediaarchive.archive import Archive  # noqa: E402
from mediaarchive.config import Settings  # noqa: E402
from mediaarchive.db import Asset  # noqa: E402

CHUNK = 16 << 20


def fill(home: Path, gib: float, files: int) -> int:
    archive = Archive(Settings.load(home=home))
    size = int(gib * (1 << 30) / files)
    total = 0
    work = home / "gen"
    work.mkdir(parents=True)
    for number in range(files):
        path = work / f"blob-{number}.bin"
        with open(path, "wb") as out:
            left = size
            while left:
                chunk = os.urandom(min(CHUNK, left))
                out.write(chunk)
                left -= len(chunk)
        blob = archive.store.put_file(path, move=True)
        with archive.session() as session:
            session.add(
                Asset(
                    sha256=blob.sha256,
                    size=blob.size,
                    kind="other",
                    blob_key=blob.key,
                    title=f"generated {number}",
                    state="done",
                )
            )
        total += blob.size
    shutil.rmtree(work)
    archive.close()
    return total


def run_backup(home: Path, target: Path) -> tuple[float, dict]:
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mediaarchive",
            "--home",
            str(home),
            "backup",
            "--to",
            str(target),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.monotonic() - started, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gib", type=float, default=10.0)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="Keep the generated archive.")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="backup-bench-", dir=os.environ.get("BENCH_DIR")))
    home = base / "home"
    try:
        started = time.monotonic()
        total = fill(home, args.gib, args.files)
        print(
            f"set-up: {args.files} blobs, {total / (1 << 30):.2f} GiB in "
            f"{time.monotonic() - started:.1f} s; load {load_average()}"
        )
        for label in ("first", "second"):
            seconds, result = run_backup(home, base / "backup")
            print(
                f"{label} backup: {seconds:.1f} s, {result['copied']} of {result['blobs']} "
                f"blob(s) copied, {result['copied_bytes'] / (1 << 30):.2f} GiB; "
                f"load {load_average()}"
            )
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        verdict = "meets" if peak < 300 else "misses"
        print(f"peak RSS of the backup processes: {peak:.0f} MB ({verdict} the goal < 300 MB)")
        started = time.monotonic()
        subprocess.run(["cp", "-a", str(home), str(base / "cp-copy")], check=True)
        print(
            f"baseline cp -a of the home: {time.monotonic() - started:.1f} s; load {load_average()}"
        )
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
