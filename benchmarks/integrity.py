"""Benchmark: what checking a blob's sha256 on the way costs a full read.

Copies one stored blob (random bytes, 512 MiB by default) out of a local store, side by
side and alternating, as

* baseline: a plain copy (``shutil.copyfileobj``, what export did before),
* checked: the same copy through ``store.open_checked`` (the hashing reader export uses),
* materialize: ``store.materialize(key, check=True)`` (what the transcode/OCR steps do on a
  local store: one hashing read, after which the tool reads from the page cache),

and prints the median wall time and throughput of each. The machine is shared: note the
load (``/proc/loadavg``) printed with the figures.

    .venv/bin/python benchmarks/integrity.py [--size-mib 512] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mediaarchive.store import LocalStore, open_checked


def _timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-integrity-") as tmp:
        work = Path(tmp)
        source = work / "blob.bin"
        with open(source, "wb") as handle:
            for _ in range(args.size_mib):
                handle.write(os.urandom(1024 * 1024))
        store = LocalStore(work / "store")
        blob = store.put_file(source)
        target = work / "copy.bin"

        def baseline() -> None:
            with store.open(blob.key) as src, open(target, "wb") as sink:
                shutil.copyfileobj(src, sink, 1024 * 1024)

        def checked() -> None:
            with open_checked(store, blob.key, blob.sha256) as src, open(target, "wb") as sink:
                shutil.copyfileobj(src, sink, 1024 * 1024)
                src.check()

        def materialize() -> None:
            with store.materialize(blob.key, check=True):
                pass

        runs: dict[str, list[float]] = {"baseline copy": [], "checked copy": [], "materialize": []}
        actions = list(zip(runs, (baseline, checked, materialize), strict=True))
        for round_number in range(args.rounds):
            # Each round starts with another one, so no kind always runs first.
            shift = round_number % len(actions)
            for name, action in actions[shift:] + actions[:shift]:
                runs[name].append(_timed(action))
                target.unlink(missing_ok=True)
    print(f"blob: {args.size_mib} MiB, {args.rounds} rounds (median)")
    print(f"load: {Path('/proc/loadavg').read_text().strip()}")
    for name, times in runs.items():
        median = statistics.median(times)
        print(f"{name:<15} {median:6.2f} s  {args.size_mib / median:7.0f} MiB/s")


if __name__ == "__main__":
    main()
