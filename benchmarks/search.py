"""Search at archive scale: mediaarchive's German FTS5 index against a plain FTS5 table.

Builds an archive of N segments (default 1,000,000 ≈ 2,000 hours of talks) of generated
German speech with a natural (Zipf) word-frequency spread, compounds and inflections; then
reports, side by side with a plain FTS5 ``unicode61`` table of the same text queried the
same way (ranked top 20 with snippets): indexing rate, database size, p50/p95/max latency
over a fixed mix of 200 queries, and how many queries find anything at all. Then "did you
mean": the latency of suggestions for 200 misspelled words (one or two edits each: a
letter dropped, doubled, replaced or two swapped) and how often the word meant comes first.

    .venv/bin/python benchmarks/search.py [--segments 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mediaarchive.archive import Archive  # noqa: E402
from mediaarchive.config import Settings  # noqa: E402
from mediaarchive.services.search import reindex, search, suggest  # noqa: E402

SEGMENTS_PER_ASSET = 500
EVENTS = 40

FUNCTION_WORDS = """die der und in den das ist zu wir nicht es von mit sich auf für ein eine
dass auch im dem als an sie so wie aber bei oder wenn noch nur man auch aus um hat haben
werden wird sind war mehr schon sehr hier jetzt dann also einfach ganz immer ich ja gibt
können müssen diese dieser vom zum zur über unter durch nach vor alle viele genau eben""".split()

NOUNS = """Labor Verwaltung Stadt Innovation Digitalisierung Universität Straße Prototyp Gespräch
Projekt Zukunft Bürger Daten Arbeit Netz Werk Raum Zeit Idee Mensch Team Schule Kultur Wissen
Forschung Bildung Politik Wirtschaft Gesellschaft Technik Energie Verkehr Umwelt Klima Wasser
Haus Markt Platz Geld Recht Gesetz Amt Behörde Dienst Leistung Plattform Software Strategie
Methode Prozess Lösung Frage Antwort Beispiel Ergebnis Erfahrung Beteiligung Entwicklung
Planung Förderung Gestaltung Region Land Bund Kommune Gemeinde Rat Quartier Nachbarschaft
Zentrum Werkstatt Modell Konzept Programm Netzwerk Partner Kooperation Wettbewerb Preis Kosten
Haushalt Steuer Verwaltungsakt Antrag Formular Portal Schnittstelle Algorithmus Sensor
Mobilität Fahrrad Bahn Bus Auto Brücke Park Garten Bibliothek Museum Theater Musik Bühne
Lebenszyklus Versuch Test Studie Analyse Bericht Vortrag Keynote Workshop Konferenz Barcamp
Führung Organisation Struktur Kultur Wandel Transformation Nachhaltigkeit Gesundheit Pflege
Krankenhaus Praxis Medizin Sicherheit Schutz Datenschutz Öffentlichkeit Transparenz
Zugang""".split()

PLURAL = ["e", "en", "er", "s"]
VERBS = """mach arbeit entwickel plan gestalt förder teil bau test lern sprech denk frag sag zeig
brauch versuch nutz digitalisier verbind öffn schaff änder bewert organisier forsch""".split()
VERB_ENDINGS = ["en", "e", "t", "st", "te", "ten", "end"]
ADJECTIVES = """neu digital öffentlich offen gut groß klein wichtig schnell einfach gemeinsam
lokal regional städtisch wissenschaftlich technisch sozial nachhaltig innovativ agil""".split()
ADJ_ENDINGS = ["", "e", "en", "er", "es", "em"]


def vocabulary(rng: random.Random) -> list[str]:
    """Word forms in Zipf rank order: function words, simple content words, compounds."""
    content: set[str] = set()
    for noun in NOUNS:
        content.update({noun, noun + "s", noun + rng.choice(PLURAL)})
    for verb in VERBS:
        content.update(verb + ending for ending in VERB_ENDINGS)
    for adjective in ADJECTIVES:
        content.update(adjective + ending for ending in ADJ_ENDINGS)
    simple = sorted(content)
    rng.shuffle(simple)
    content = set()
    heads = [n for n in NOUNS if len(n) > 3]
    while len(content) < 15_000:
        modifier, head = rng.choice(NOUNS), rng.choice(heads)
        link = "s" if modifier.endswith(("ung", "heit", "keit", "tion", "tät")) else ""
        word = modifier + link + head.lower()
        if rng.random() < 0.3:  # plural or genitive
            weak = word.endswith(("ung", "ion", "tät", "heit", "keit", "e"))
            word += ("n" if word.endswith("e") else "en") if weak else rng.choice(["e", "s"])
        if rng.random() < 0.15:  # three-part compounds
            word = rng.choice(NOUNS) + word.lower()
        content.add(word)
    compounds = sorted(content - set(simple))
    rng.shuffle(compounds)
    return FUNCTION_WORDS + simple + compounds


class TextGenerator:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng)
        weights = [1.0 / (rank + 1) for rank in range(len(self.words))]
        self.cumulative = list(itertools.accumulate(weights))

    def segment(self) -> str:
        n = self.rng.randint(8, 24)
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=n)
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words) + self.rng.choice([".", ".", ".", "?", ","])

    def word_at(self, low: int, high: int) -> str:
        return self.words[self.rng.randrange(low, min(high, len(self.words)))]


@dataclass
class Corpus:
    segments: list[tuple[int, int, str]] = field(default_factory=list)  # (asset, event, text)


def build_archive(home: Path, total: int, generator: TextGenerator) -> tuple[Archive, Corpus]:
    """An archive whose assets carry transcripts of generated segments (not timed)."""
    archive = Archive(Settings.load(home=home))
    corpus = Corpus()
    with archive.session() as session:
        db = session.connection().connection.driver_connection
        for event in range(1, EVENTS + 1):
            db.execute(
                "INSERT INTO events (id, name, date, created_at) VALUES (?, ?, ?, ?)",
                (
                    event,
                    f"Labcamp {event}",
                    f"20{10 + event % 15:02d}-05-{1 + event % 28:02d}",
                    "2026-01-01",
                ),
            )
        assets = (total + SEGMENTS_PER_ASSET - 1) // SEGMENTS_PER_ASSET
        segment_id = 0
        for asset in range(1, assets + 1):
            event = 1 + asset % EVENTS
            sha = hashlib.sha256(str(asset).encode()).hexdigest()
            db.execute(
                "INSERT INTO assets (id, sha256, size, kind, blob_key, title, speakers, language,"
                " date, extra, state, created_at, updated_at) VALUES (?, ?, 1, ?, 'k', ?, ?,"
                " 'de', ?, '{}', 'done', '2026-01-01', '2026-01-01')",
                (
                    asset,
                    sha,
                    "audio" if asset % 5 == 0 else "video",
                    f"Vortrag {asset}: {generator.word_at(60, 3000)} und "
                    f"{generator.word_at(60, 3000)}",
                    f'["Sprecherin {asset % 300}"]',
                    f"20{10 + event % 15:02d}-05-01",
                ),
            )
            db.execute(
                "INSERT INTO asset_events (asset_id, event_id) VALUES (?, ?)", (asset, event)
            )
            db.execute(
                "INSERT INTO transcripts (id, asset_id, model, language, provenance, complete,"
                " current, created_at) VALUES (?, ?, 'base', 'de', '{}', 1, 1, '2026-01-01')",
                (asset, asset),
            )
            rows = []
            for i in range(min(SEGMENTS_PER_ASSET, total - segment_id)):
                segment_id += 1
                text = generator.segment()
                corpus.segments.append((asset, event, text))
                rows.append((segment_id, asset, i * 4.0, i * 4.0 + 3.8, text))
            db.executemany(
                "INSERT INTO segments (id, transcript_id, start, end, text) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
    return archive, corpus


def build_baseline(path: Path, corpus: Corpus) -> tuple[float, float]:
    """A plain FTS5 unicode61 table of the same segments; segments/s (wall, CPU)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE VIRTUAL TABLE plain USING fts5(text, asset_id UNINDEXED,"
        " event_id UNINDEXED, tokenize='unicode61')"
    )
    wall, cpu = time.perf_counter(), time.process_time()
    db.executemany(
        "INSERT INTO plain (text, asset_id, event_id) VALUES (?, ?, ?)",
        ((text, asset, event) for asset, event, text in corpus.segments),
    )
    db.commit()
    db.execute("INSERT INTO plain (plain) VALUES ('optimize')")
    db.commit()
    rates = (
        len(corpus.segments) / (time.perf_counter() - wall),
        len(corpus.segments) / (time.process_time() - cpu),
    )
    db.close()
    return rates


@dataclass
class BenchQuery:
    category: str
    text: str
    filters: dict[str, str] = field(default_factory=dict)


def query_mix(generator: TextGenerator, corpus: Corpus) -> list[BenchQuery]:
    rng = random.Random(11)
    g = generator
    mix: list[BenchQuery] = []
    mix += [BenchQuery("rare word", g.word_at(10_000, 30_000)) for _ in range(40)]
    mix += [BenchQuery("common word", w) for w in FUNCTION_WORDS[:10]]
    mix += [BenchQuery("common word", g.word_at(len(FUNCTION_WORDS), 400)) for _ in range(20)]
    mix += [BenchQuery("mid word", g.word_at(400, 5000)) for _ in range(30)]
    parts = [
        "Labor",
        "Verwaltung",
        "Stadt",
        "Daten",
        "Netz",
        "Werkstatt",
        "Plattform",
        "Beteiligung",
        "Schnittstelle",
        "Museum",
        "Energie",
        "Bahn",
        "Markt",
        "Zentrum",
        "Förderung",
    ]
    mix += [BenchQuery("compound part", rng.choice(parts)) for _ in range(30)]
    spellings = [
        "Universitaet",
        "Universitat",
        "Strasse",
        "Gespraeche",
        "Prototypen",
        "Laboren",
        "Foerderung",
        "Buerger",
        "Oeffentlichkeit",
        "Staedte",
    ]
    mix += [BenchQuery("spelling/inflection", rng.choice(spellings)) for _ in range(20)]
    for _ in range(30):
        words = rng.choice(corpus.segments)[2].rstrip(".?,").split()
        start = rng.randrange(0, len(words) - 2)
        phrase = " ".join(words[start : start + rng.choice([2, 3])])
        mix += [BenchQuery("phrase", f'"{phrase}"')]
    for i in range(20):
        event = str(1 + rng.randrange(EVENTS))
        word = FUNCTION_WORDS[i % 3] if i % 4 == 0 else g.word_at(60, 3000)
        mix += [BenchQuery("filtered", word, {"event": f"Labcamp {event}"})]
    assert len(mix) == 200, len(mix)
    return mix


def baseline_expression(text: str) -> str:
    if text.startswith('"'):
        return text
    return " ".join('"' + w.replace('"', "") + '"' for w in text.split())


Timing = tuple[BenchQuery, float, float, int]  # query, wall s, CPU s, hits


def time_ours(archive: Archive, mix: list[BenchQuery]) -> list[Timing]:
    results = []
    for q in mix:
        event = q.filters.get("event")
        wall, cpu = time.perf_counter(), time.process_time()
        hits = search(archive, q.text, limit=20, event=event)
        results.append((q, time.perf_counter() - wall, time.process_time() - cpu, len(hits)))
    return results


def time_baseline(path: Path, mix: list[BenchQuery]) -> list[Timing]:
    db = sqlite3.connect(path)
    results = []
    for q in mix:
        sql = (
            "SELECT rowid, asset_id, snippet(plain, 0, '<mark>', '</mark>', '…', 32), rank"
            " FROM plain WHERE plain MATCH ?"
        )
        params: list[object] = [baseline_expression(q.text)]
        if "event" in q.filters:
            sql += " AND event_id = ?"
            params.append(int(q.filters["event"].split()[-1]))
        wall, cpu = time.perf_counter(), time.process_time()
        rows = db.execute(sql + " ORDER BY rank LIMIT 20", params).fetchall()
        results.append((q, time.perf_counter() - wall, time.process_time() - cpu, len(rows)))
    db.close()
    return results


def misspell(word: str, rng: random.Random) -> str:
    """``word`` with one edit (two for words of 9 letters or more), never the first letter."""
    for _ in range(2 if len(word) >= 9 else 1):
        i = rng.randrange(1, len(word) - 1)
        edit = rng.choice(["drop", "double", "replace", "swap"])
        if edit == "drop":
            word = word[:i] + word[i + 1 :]
        elif edit == "double":
            word = word[:i] + word[i] + word[i:]
        elif edit == "replace":
            word = word[:i] + rng.choice("aeinrst".replace(word[i], "")) + word[i + 1 :]
        else:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


def time_suggest(
    archive: Archive, generator: TextGenerator, count: int = 200
) -> list[tuple[str, str, float, float, bool]]:
    """(meant, typed, wall s, CPU s, meant word suggested first) for misspelled words."""
    rng = random.Random(13)
    words = [w for w in generator.words[len(FUNCTION_WORDS) :] if len(w) >= 6 and w.isalpha()]
    results = []
    for _ in range(count):
        meant = rng.choice(words)
        typed = misspell(meant, rng)
        while typed.casefold() == meant.casefold():
            typed = misspell(meant, rng)
        wall, cpu = time.perf_counter(), time.process_time()
        suggestions = suggest(archive, typed)
        results.append(
            (
                meant,
                typed,
                time.perf_counter() - wall,
                time.process_time() - cpu,
                bool(suggestions) and suggestions[0].casefold() == meant.casefold(),
            )
        )
    return results


def summarise(results: list[Timing], column: int) -> dict[str, tuple[float, ...]]:
    """Per category: p50, p95, max (ms of wall time, column 1, or CPU time, column 2)."""
    by_category: dict[str, list[tuple[float, int]]] = {}
    for row in results:
        value = (row[column], row[3])
        by_category.setdefault(row[0].category, []).append(value)
        by_category.setdefault("ALL", []).append(value)
    table = {}
    for category, values in by_category.items():
        ms = sorted(s * 1000 for s, _ in values)
        p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
        found = sum(1 for _, c in values if c > 0)
        table[category] = (statistics.median(ms), p95, ms[-1], found, len(values))
    return table


def print_latency(
    title: str, ours: dict[str, tuple[float, ...]], baseline: dict[str, tuple[float, ...]]
) -> None:
    print(f"\n{title}: p50 / p95 / max ms, queries with hits")
    print(f"{'category':22} {'mediaarchive':>34} {'plain FTS5':>34}")
    for category in ours:
        o, b = ours[category], baseline[category]
        print(
            f"{category:22} {o[0]:7.1f} {o[1]:7.1f} {o[2]:7.1f} {o[3]:4}/{o[4]:<4}"
            f"   {b[0]:7.1f} {b[1]:7.1f} {b[2]:7.1f} {b[3]:4}/{b[4]:<4}"
        )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="Build in this folder and keep it.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"Generating {args.segments:,} segments…", file=sys.stderr)
        generator = TextGenerator()
        archive, corpus = build_archive(work / "home", args.segments, generator)
        db_file = work / "home" / "archive.db"
        with archive.session() as session:
            session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        size_before = db_file.stat().st_size
        print("Indexing (mediaarchive)…", file=sys.stderr)
        wall, cpu = time.perf_counter(), time.process_time()
        children = _children_cpu()
        documents = reindex(archive)
        ours_rate = args.segments / (time.perf_counter() - wall)
        ours_cpu_rate = args.segments / (time.process_time() - cpu)
        worker_cpu = _children_cpu() - children  # the analysing worker (search.bulk)
        with archive.session() as session:
            session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        ours_size = db_file.stat().st_size - size_before
        print("Indexing (plain FTS5)…", file=sys.stderr)
        baseline_file = work / "baseline.db"
        baseline_rate, baseline_cpu_rate = build_baseline(baseline_file, corpus)
        baseline_size = baseline_file.stat().st_size

        common = (
            sqlite3.connect(baseline_file)
            .execute("SELECT count(*) FROM plain WHERE plain MATCH 'die'")
            .fetchone()[0]
        )
        mix = query_mix(generator, corpus)
        print("Querying…", file=sys.stderr)
        time_ours(archive, mix[:20])  # warm caches for both sides alike
        time_baseline(baseline_file, mix[:20])
        ours = time_ours(archive, mix)
        baseline = time_baseline(baseline_file, mix)

        print(
            f"\nSearch benchmark: {args.segments:,} segments, {documents:,} documents indexed"
            f" (+ metadata); 'die' occurs in {common / args.segments:.0%} of segments\n"
        )
        print(f"{'':32} {'mediaarchive':>14} {'plain FTS5':>14}")
        print(
            f"{'indexing rate (segments/s, wall)':32} {ours_rate:>14,.0f} {baseline_rate:>14,.0f}"
        )
        print(
            f"{'indexing rate (segments/s, CPU)':32} {ours_cpu_rate:>14,.0f}"
            f" {baseline_cpu_rate:>14,.0f}"
        )
        if worker_cpu:
            print(
                f"{'  CPU of this process + worker':32}"
                f" {args.segments / (args.segments / ours_cpu_rate + worker_cpu):>14,.0f}"
            )
        print(f"{'index size (MB)':32} {ours_size / 1e6:>14,.0f} {baseline_size / 1e6:>14,.0f}")
        print(f"{'archive DB file total (MB)':32} {db_file.stat().st_size / 1e6:>14,.0f}")
        print(
            f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            " (CPU figures are per process, so less sensitive to other work)"
        )
        print_latency(
            "query latency, top 20 + snippets, wall", summarise(ours, 1), summarise(baseline, 1)
        )
        print_latency(
            "query latency, top 20 + snippets, CPU", summarise(ours, 2), summarise(baseline, 2)
        )
        slowest = sorted(ours, key=lambda row: -row[1])[:5]
        print(
            "\nslowest (ours, wall ms): "
            + ", ".join(f"{q.text!r} {seconds * 1000:.0f}" for q, seconds, _, _ in slowest)
        )

        time_suggest(archive, generator, 20)  # warm caches
        suggested = time_suggest(archive, generator)
        with archive.session() as session:
            db = session.connection().connection.driver_connection
            words = db.execute("SELECT count(*) FROM search_vocabulary").fetchone()[0]
            trigrams = db.execute("SELECT count(*) FROM search_trigrams").fetchone()[0]
        print(
            f"\ndid you mean: {len(suggested)} misspelled words, vocabulary of {words:,}"
            f" folded words ({trigrams:,} trigram rows)"
        )
        for label, column in (("wall", 2), ("CPU", 3)):
            ms = sorted(row[column] * 1000 for row in suggested)
            p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
            print(
                f"suggest latency, {label}: p50 {statistics.median(ms):.1f}  p95 {p95:.1f}"
                f"  max {ms[-1]:.1f} ms"
            )
        right = sum(1 for row in suggested if row[4])
        print(f"the word meant suggested first: {right}/{len(suggested)}")
        missed = [f"{row[1]}→{row[0]}" for row in suggested if not row[4]][:8]
        print("missed (typed→meant): " + ", ".join(missed))
        archive.close()
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        os.environ.pop("MEDIAARCHIVE_HOME", None)


if __name__ == "__main__":
    main()
