"""Curation at archive scale: ``transcript replace`` over an event of long talks, and saving
one corrected line in a long transcript many times (the web editor saves line by line).

1. An event of N talks (default 200) of an hour each (750 segments of 12 words, as the
   transcriber stores them); a misheard name ("Hertie Schol") in one segment of 50.
   ``replace_text(..., event=...)`` corrects it: seconds, segments changed, revisions made.
2. A two-hour talk (1,500 segments), indexed for search. ``save_segment`` saves one line
   100 times (a random line each time, as a reviewer would): p50/p95/max per save; the goal
   is p95 < 50 ms in the library. A save writes the line's new version and words, the
   revision, the audit record and re-indexes that one segment.
Peak RSS of the process is reported at the end. Rows are inserted in bulk (the set-up is not
what is measured).

    .venv/bin/python benchmarks/curation.py [--talks 200] [--saves 100] [--db URL]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from mediaarchive.archive import Archive  # noqa: E402
from mediaarchive.config import Settings  # noqa: E402
from mediaarchive.db import Asset, Event, Segment, Transcript, Word, current_segments  # noqa: E402
from mediaarchive.db.models import asset_events  # noqa: E402
from mediaarchive.search import index_asset  # noqa: E402
from mediaarchive.services.replace import replace_text  # noqa: E402
from mediaarchive.services.revisions import save_segment  # noqa: E402

WORDS = """die Verwaltung der Stadt hat mit dem Innovationslabor einen neuen Weg gefunden und
wir haben gemeinsam mit Bürgerinnen und Bürgern Prototypen gebaut getestet verworfen neu
gedacht denn Digitalisierung beginnt mit Neugier und Mut zum Experiment im Rathaus""".split()
MISHEARD = "Hertie Schol"
SEGMENT_SECONDS = 4.8
GOAL_P95_MS = 50.0


def _segment_words(rng: random.Random, count: int, name: bool) -> list[str]:
    words = [rng.choice(WORDS) for _ in range(count)]
    if name:
        words[2:4] = MISHEARD.split()
    return words


def add_talk(
    archive: Archive, name: str, segments: int, rng: random.Random, event_id: int | None
) -> int:
    """One talk with ``segments`` segments of 12 words, inserted in bulk; returns its id."""
    with archive.session() as session:
        digest = hashlib.sha256(name.encode()).hexdigest()
        asset = Asset(sha256=digest, size=1, kind="video", blob_key=f"sha256/{digest}", title=name)
        session.add(asset)
        session.flush()
        if event_id is not None:
            session.execute(insert(asset_events).values(asset_id=asset.id, event_id=event_id))
        transcript = Transcript(
            asset_id=asset.id,
            model="base",
            language="de",
            provenance={},
            duration=segments * SEGMENT_SECONDS,
            complete=True,
            current=True,
        )
        session.add(transcript)
        session.flush()
        rows, texts = [], []
        for index in range(segments):
            words = _segment_words(rng, 12, index % 50 == 7)
            start = index * SEGMENT_SECONDS
            rows.append(
                {
                    "transcript_id": transcript.id,
                    "start": start,
                    "end": start + SEGMENT_SECONDS - 0.3,
                    "text": " ".join(words),
                    "confidence": 0.9,
                }
            )
            texts.append(words)
        session.execute(insert(Segment), rows)
        ids = session.scalars(
            select(Segment.id).where(Segment.transcript_id == transcript.id).order_by(Segment.id)
        ).all()
        word_rows = []
        for segment_id, row, words in zip(ids, rows, texts, strict=True):
            step = (row["end"] - row["start"]) / len(words)
            word_rows += [
                {
                    "segment_id": segment_id,
                    "start": row["start"] + i * step,
                    "end": row["start"] + (i + 1) * step,
                    "word": " " + word,
                    "probability": 0.6 + 0.4 * rng.random(),
                }
                for i, word in enumerate(words)
            ]
        session.execute(insert(Word), word_rows)
        return asset.id


def bench_replace(archive: Archive, talks: int, rng: random.Random) -> None:
    with archive.session() as session:
        event = Event(name="Bench Event")
        session.add(event)
        session.flush()
        event_id = event.id
    started = time.perf_counter()
    for number in range(talks):
        add_talk(archive, f"talk {number}", 750, rng, event_id)
    built = time.perf_counter() - started
    print(f"set-up: {talks} one-hour talks ({talks * 750:,} segments) in {built:.1f} s")
    started = time.perf_counter()
    preview = replace_text(archive, MISHEARD, "Hertie School", event="Bench Event", dry_run=True)
    dry = time.perf_counter() - started
    started = time.perf_counter()
    result = replace_text(archive, MISHEARD, "Hertie School", event="Bench Event", by="bench")
    seconds = time.perf_counter() - started
    print(
        f"replace --dry-run over {talks} talks: {dry:.2f} s, {len(preview.changes):,} changes\n"
        f"replace over {talks} talks: {seconds:.2f} s, {len(result.changes):,} changes, "
        f"{len(result.revisions)} revisions ({seconds / max(len(result.revisions), 1) * 1000:.0f}"
        " ms a talk)"
    )


def bench_saves(archive: Archive, saves: int, rng: random.Random) -> None:
    asset_pk = add_talk(archive, "two-hour talk", 1500, rng, None)
    with archive.session() as session:
        asset = session.get(Asset, asset_pk)
        assert asset is not None
        short_id = asset.short_id
        indexed = index_asset(session, asset)
        transcript_id = asset.current_transcript.id  # type: ignore[union-attr]
    print(f"set-up: one two-hour talk, 1,500 segments, {indexed:,} documents indexed")
    timings: list[float] = []
    for number in range(saves):
        with archive.session() as session:
            rows = session.scalars(current_segments(transcript_id)).all()
            row = rng.choice(rows)
            segment_id, text = row.id, row.text
        words = text.split()
        words[rng.randrange(len(words))] = f"Korrektur{number}"
        started = time.perf_counter()
        save_segment(archive, short_id, segment_id, " ".join(words), by="bench")
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(round(0.95 * (len(timings) - 1)))]
    verdict = "meets" if p95 < GOAL_P95_MS else "misses"
    print(
        f"save one line x{saves}: total {sum(timings) / 1000:.2f} s, p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms ({verdict} the goal p95 < "
        f"{GOAL_P95_MS:g} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=200)
    parser.add_argument("--saves", type=int, default=100)
    parser.add_argument("--db", help="database URL (default: SQLite in a temp folder)")
    args = parser.parse_args()
    rng = random.Random(13)
    with tempfile.TemporaryDirectory(prefix="curation-bench-") as home:
        archive = Archive(Settings.load(home=Path(home), db=args.db))
        try:
            bench_saves(archive, args.saves, rng)
            bench_replace(archive, args.talks, rng)
        finally:
            archive.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    with open("/proc/loadavg", encoding="ascii") as handle:
        print(f"load average during the run: {handle.read().split()[0:3]}")


if __name__ == "__main__":
    main()
