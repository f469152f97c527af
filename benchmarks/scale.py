"""Scale-out: generated talks through 1 and 2 Celery workers against the in-process runner.

Each mode gets a fresh PostgreSQL database and S3 bucket (the services run as local
processes: PostgreSQL, Redis, moto's S3 server), ingests the same talks, then processes
them with the full pipeline of their kind:

* in-process: ``mediaarchive run`` without a broker, pinned to one core (the baseline);
* 1 worker:   one ``mediaarchive worker --concurrency 1`` pinned to core 0;
* 2 workers:  two such workers, pinned to cores 0 and 1.

Every step gets one thread, so a worker uses one core. The services and this process share
the same cores, as they would on one small machine. Reported: wall time, throughput (talks
and minutes of audio per hour), speed-up of 2 workers over 1, and the overhead per task:
(wall time − time inside the steps) / tasks, for the two modes that run one task at a time;
their difference is what Celery's queueing costs per task.

Run: .venv/bin/python benchmarks/scale.py [--talks 8] [--minutes 3]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from mediaarchive import synth  # noqa: E402
from mediaarchive.db import Asset, Job  # noqa: E402
from tests.fixtures.services import (  # noqa: E402
    free_port,
    start_postgres,
    start_redis,
    stop_postgres,
    stop_redis,
)
from tests.fixtures.workers import Distributed, WorkerProcesses, distributed_env  # noqa: E402

SEED_NAME = "shared/seed/000_8e33b6325b9cc12a.txt"
SEED = next((p / SEED_NAME for p in REPO.parents if (p / SEED_NAME).exists()), None)
FALLBACK = (
    "Willkommen zum Labcamp. Heute sprechen wir über Innovationslabore in der Verwaltung. "
    "Wir haben mit vielen Menschen in der Stadt gesprochen und Prototypen gebaut. "
    "Die Universität begleitet das Projekt und wertet die Ergebnisse aus. "
    "Offene Daten helfen, gute Entscheidungen nachvollziehbar zu machen. "
    "Im nächsten Jahr wollen wir die Werkzeuge in weiteren Ämtern ausprobieren."
)
WORDS_PER_MINUTE = 150  # espeak-ng's default speed
TIMEOUT = 3600


def sentences() -> list[str]:
    text = FALLBACK
    if SEED is not None:
        lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
        text += " " + " ".join(x for x in lines if len(x.split()) > 5 and "http" not in x)
    found = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4]
    return [s for s in found if len(s) < 400]


def make_talks(count: int, minutes: float) -> list[Path]:
    """``count`` different German talks of about ``minutes`` each (cached by synth)."""
    pool = sentences()
    talks = []
    for number in range(count):
        rng = random.Random(number)
        paragraphs: list[str] = []
        seconds = 0.0
        while seconds < minutes * 60:
            paragraph = " ".join(rng.sample(pool, k=min(3, len(pool))))
            paragraphs.append(paragraph)
            seconds += len(paragraph.split()) / WORDS_PER_MINUTE * 60 + 1.0
        talks.append(
            synth.talk_video(paragraphs, image_lines=[f"Vortrag {number + 1}"], size=(640, 360))
        )
    return talks


@dataclass
class Outcome:
    mode: str
    workers: int
    wall: float
    step_seconds: float
    tasks: int
    done: int
    failed: int
    errors: list[str]


def _counts(archive, asset_ids: list[int]) -> tuple[float, int, int, int, list[str]]:  # type: ignore[no-untyped-def]
    from mediaarchive.steps import STEPS

    with archive.session() as session:
        jobs = session.scalars(select(Job).where(Job.asset_id.in_(asset_ids))).all()
        ran = [j for j in jobs if j.step in STEPS and j.state in ("done", "failed")]
        states = dict(
            session.execute(
                select(Asset.state, func.count())
                .where(Asset.id.in_(asset_ids))
                .group_by(Asset.state)
            ).all()
        )
        errors = [f"{j.step}: {j.error}" for j in jobs if j.state == "failed"]
    return (
        sum(j.seconds or 0.0 for j in ran),
        len(ran),
        states.get("done", 0),
        states.get("failed", 0),
        errors,
    )


def _wait(archive, asset_ids: list[int], workers: WorkerProcesses | None) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + TIMEOUT
    while True:
        with archive.session() as session:
            states = session.scalars(select(Asset.state).where(Asset.id.in_(asset_ids))).all()
        if all(s in ("done", "failed") for s in states):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"not finished after {TIMEOUT}s: {states}")
        if workers is not None:
            for name, process in workers.processes.items():
                if process.poll() is not None:
                    raise SystemExit(f"worker {name} died:\n{workers.log(name)[-3000:]}")
        time.sleep(0.5)


def run_mode(
    mode: str,
    workers: int,
    talks: list[Path],
    *,
    postgres,
    redis_url: str,  # type: ignore[no-untyped-def]
    s3_endpoint: str,
    folder: Path,
) -> Outcome:
    from mediaarchive.services.dispatch import submit
    from mediaarchive.services.ingest import ingest_sources

    home = folder / mode.replace(" ", "-")
    home.mkdir()
    env = distributed_env(
        db=postgres.create_database(),
        broker=redis_url,
        s3_endpoint=s3_endpoint,
        home=home,
        visibility_timeout=3600,
    )
    env["MEDIAARCHIVE_THREADS"] = "1"
    os.environ["MEDIAARCHIVE_STORE_ENDPOINT_URL"] = s3_endpoint
    distributed = Distributed(env=env, home=home)
    archive = distributed.archive()
    pool = WorkerProcesses(env=env, folder=home)
    try:
        results = ingest_sources(archive, [str(t) for t in talks], event="Benchmark")
        errors = [r.error for r in results if r.error]
        if errors:
            raise SystemExit(f"ingest failed: {errors}")
        with archive.session() as session:
            asset_ids = list(session.scalars(select(Asset.id)))
        if workers == 0:
            local_env = {k: v for k, v in env.items() if k != "MEDIAARCHIVE_BROKER"}
            local_env["MEDIAARCHIVE_JOBS"] = "1"
            started = time.monotonic()
            subprocess.run(
                ["taskset", "-c", "0", sys.executable, "-m", "mediaarchive", "run"],
                env=local_env,
                cwd=REPO,
                check=False,
                timeout=TIMEOUT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wall = time.monotonic() - started
        else:
            names = [f"bench{i + 1}" for i in range(workers)]
            for i, name in enumerate(names):
                pool.start(name, cpu=i % (os.cpu_count() or 1), threads=1)
            pool.wait_ready(*names, timeout=120)
            started = time.monotonic()
            submit(archive, asset_ids)
            _wait(archive, asset_ids, pool)
            wall = time.monotonic() - started
        step_seconds, tasks, done, failed, errors = _counts(archive, asset_ids)
        return Outcome(mode, workers, wall, step_seconds, tasks, done, failed, errors)
    finally:
        pool.stop_all()
        archive.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--talks", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=3.0)
    args = parser.parse_args()

    print(f"Generating {args.talks} talks of ~{args.minutes:g} min…", file=sys.stderr)
    talks = make_talks(args.talks, args.minutes)
    audio_minutes = sum(synth.media_duration(t) for t in talks) / 60

    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-west-2"
    )
    s3_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    moto.start()
    postgres = start_postgres()
    redis = start_redis()
    outcomes: list[Outcome] = []
    try:
        # Inside the checkout: a shared /tmp may be swept by other programs meanwhile.
        (REPO / ".cache").mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="bench-scale-", dir=REPO / ".cache") as tmp:
            for mode, workers in (("in-process", 0), ("1 worker", 1), ("2 workers", 2)):
                print(f"Running {mode}…", file=sys.stderr)
                started = time.monotonic()
                outcomes.append(
                    run_mode(
                        mode,
                        workers,
                        talks,
                        postgres=postgres,
                        redis_url=redis.url(),
                        s3_endpoint=f"http://127.0.0.1:{s3_port}",
                        folder=Path(tmp),
                    )
                )
                print(f"  {mode}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    finally:
        stop_redis(redis)
        stop_postgres(postgres)
        moto.stop()

    one = next(o for o in outcomes if o.workers == 1)
    print(
        f"\n{args.talks} talks, {audio_minutes:.1f} min of audio, pipeline per kind, "
        f"{os.cpu_count()} cores\n"
    )
    header = (
        f"{'mode':<11} {'wall s':>8} {'talks/h':>8} {'audio min/min':>14} "
        f"{'tasks':>6} {'in steps s':>11} {'overhead/task s':>16} {'speed-up':>9} "
        f"{'failed':>7}"
    )
    print(header)
    print("-" * len(header))
    for o in outcomes:
        sequential = o.workers <= 1
        overhead = (o.wall - o.step_seconds) / o.tasks if sequential and o.tasks else None
        print(
            f"{o.mode:<11} {o.wall:>8.1f} {args.talks / o.wall * 3600:>8.1f} "
            f"{audio_minutes / (o.wall / 60):>14.2f} {o.tasks:>6} {o.step_seconds:>11.1f} "
            f"{'-' if overhead is None else f'{overhead:.3f}':>16} "
            f"{one.wall / o.wall:>8.2f}x {o.failed:>7}"
        )
    local = next(o for o in outcomes if o.workers == 0)
    if local.tasks and one.tasks:
        extra = (one.wall - one.step_seconds) / one.tasks - (
            local.wall - local.step_seconds
        ) / local.tasks
        print(f"\nCelery queueing overhead per task vs the in-process runner: {extra:+.3f} s")
    for o in outcomes:
        for error in o.errors:
            print(f"failed in {o.mode}: {error}")
    two = next(o for o in outcomes if o.workers == 2)
    print(f"Speed-up with 2 workers: {one.wall / two.wall:.2f}x (target >= 1.7x)")


if __name__ == "__main__":
    main()
