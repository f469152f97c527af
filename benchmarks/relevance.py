"""Search relevance on a German test collection: nDCG@10 and recall@20, three analyses.

The collection: ``benchmarks/data/relevance_corpus.tsv`` (talk segments, OCR text of slides
and images, a few English segments) plus the distinct reference sentences of
``../shared/eval/de_speech`` (read from there), one asset each; queries and graded
judgements in ``benchmarks/data/relevance_de.tsv``, written by hand before tuning.

Compared in one run, on the same documents and queries (top 20 of ``services.search``):

- ``main``: the analysis of the main branch (its code, checked out as a temporary git
  worktree, ranks in a subprocess; ``--baseline DIR`` uses a checkout you give instead);
- ``new``: the analysis of this checkout;
- ``unicode61``: a plain FTS5 table (``tokenize='unicode61'``), words ANDed, ranked by bm25.

Misspelled queries (category ``misspelling``) belong to the suggestions ("Meinten Sie")
part: reported apart, not in the totals.

    .venv/bin/python benchmarks/relevance.py [--per-query] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# A run for another checkout (the main branch) imports that checkout's package.
sys.path.insert(0, os.environ.get("RELEVANCE_CODE") or str(REPO))

CORPUS = HERE / "data" / "relevance_corpus.tsv"
JUDGEMENTS = HERE / "data" / "relevance_de.tsv"
DEV_SET = REPO.parent / "shared" / "eval" / "de_speech" / "manifest.tsv"
DEV_SET_FALLBACK = Path("/work/shared/eval/de_speech/manifest.tsv")
DEPTH = 20


@dataclass
class Document:
    id: str
    source: str  # speech, slide, image
    language: str
    speakers: list[str]
    text: str


@dataclass
class Judged:
    query: str
    category: str
    filters: dict[str, str]
    grades: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in sorted(self.filters.items()))
        return f"{self.query} [{extra}]" if extra else self.query


def _rows(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return rows[1:]  # the header


def read_corpus() -> list[Document]:
    documents = [
        Document(
            doc_id,
            source,
            language,
            [s for s in speakers.split("; ") if s],
            text.replace("\\n", "\n"),
        )
        for doc_id, source, language, speakers, text in _rows(CORPUS)
    ]
    manifest = DEV_SET if DEV_SET.exists() else DEV_SET_FALLBACK
    seen: set[str] = set()
    for row in _rows(manifest):
        clip, reference = row[0], row[7]
        if reference not in seen:
            seen.add(reference)
            documents.append(Document(f"dev:{clip}", "speech", "de", [], reference))
    return documents


def read_judgements() -> list[Judged]:
    judged = []
    for query, category, filters, grades in _rows(JUDGEMENTS):
        item = Judged(
            query,
            category,
            dict(pair.split("=", 1) for pair in filters.split(",") if pair),
        )
        for entry in grades.split():
            doc_id, _, grade = entry.rpartition(":")
            item.grades[doc_id] = int(grade)
        judged.append(item)
    return judged


# -- the archive's own search (this checkout's or another's code) ---------------------------


def rank_archive(documents: list[Document], judged: list[Judged]) -> dict[str, list[str]]:
    """Document ids of the top ``DEPTH`` hits per query, through ``services.search``."""
    from mediaarchive.archive import Archive
    from mediaarchive.config import Settings
    from mediaarchive.db import Asset, OcrText, Segment, Transcript
    from mediaarchive.services.search import reindex, search

    with tempfile.TemporaryDirectory(prefix="relevance-") as home:
        archive = Archive(Settings.load(home=Path(home)))
        by_short_id: dict[str, str] = {}
        with archive.session() as session:
            for number, doc in enumerate(documents, 1):
                asset = Asset(
                    sha256=hashlib.sha256(doc.id.encode()).hexdigest(),
                    size=1,
                    blob_key=f"k{number}",
                    kind="image" if doc.source == "image" else "video",
                    title=f"Aufnahme {doc.id}",
                    speakers=doc.speakers,
                    language=doc.language,
                )
                session.add(asset)
                session.flush()
                if doc.source == "speech":
                    transcript = Transcript(
                        asset_id=asset.id,
                        model="base",
                        language=doc.language,
                        provenance={},
                        complete=True,
                        current=True,
                    )
                    session.add(transcript)
                    session.flush()
                    session.add(
                        Segment(transcript_id=transcript.id, start=1.0, end=4.0, text=doc.text)
                    )
                else:
                    start = 10.0 if doc.source == "slide" else None
                    session.add(
                        OcrText(
                            asset_id=asset.id,
                            source=doc.source,
                            start=start,
                            end=None if start is None else start + 30.0,
                            text=doc.text,
                        )
                    )
                session.flush()
                by_short_id[asset.short_id] = doc.id
        reindex(archive)
        ranked = {}
        for item in judged:
            hits = search(archive, item.query, limit=DEPTH * 3, **item.filters)
            ids: list[str] = []
            for hit in hits:
                doc_id = by_short_id[hit.asset_id]
                if doc_id not in ids:
                    ids.append(doc_id)
            ranked[item.key] = ids[:DEPTH]
        archive.close()
    return ranked


def rank_other_checkout(code: Path) -> dict[str, list[str]]:
    """``rank_archive`` run by the code of another checkout (in a subprocess)."""
    env = {**os.environ, "RELEVANCE_CODE": str(code)}
    output = subprocess.run(
        [sys.executable, __file__, "--rank-json"],
        env=env,
        capture_output=True,
        text=True,
    )
    if output.returncode:
        raise SystemExit(f"ranking with {code} failed:\n{output.stderr}")
    return json.loads(output.stdout)


# -- plain FTS5 unicode61 -----------------------------------------------------------------

_TOKEN = re.compile(r"\w+")


def rank_unicode61(documents: list[Document], judged: list[Judged]) -> dict[str, list[str]]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE plain USING fts5(head, text, source UNINDEXED)")
    db.executemany(
        "INSERT INTO plain (rowid, head, text, source) VALUES (?, ?, ?, ?)",
        [(n, "; ".join(doc.speakers), doc.text, doc.source) for n, doc in enumerate(documents, 1)],
    )
    ranked = {}
    for item in judged:
        if item.query.startswith('"'):
            expression = '"' + " ".join(_TOKEN.findall(item.query)) + '"'
        else:
            expression = " AND ".join(f'"{t}"' for t in _TOKEN.findall(item.query))
        sql = "SELECT rowid FROM plain WHERE plain MATCH ?"
        params: list[object] = [expression]
        if "source" in item.filters:
            sql += " AND source = ?"
            params.append(item.filters["source"])
        rows = db.execute(sql + " ORDER BY rank LIMIT ?", [*params, DEPTH]).fetchall()
        ranked[item.key] = [documents[rowid - 1].id for (rowid,) in rows]
    return ranked


# -- measures ------------------------------------------------------------------------------


def ndcg(ranking: list[str], grades: dict[str, int], k: int = 10) -> float:
    def dcg(gains: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(doc_id, 0) for doc_id in ranking]) / ideal if ideal else 1.0


def recall(ranking: list[str], grades: dict[str, int], k: int = DEPTH) -> float:
    relevant = {doc_id for doc_id, grade in grades.items() if grade > 0}
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else 1.0


def compound_misses(ranking: list[str], grades: dict[str, int]) -> list[str]:
    """Judged documents not in the top 10 (for compound queries: each must be there)."""
    return [doc_id for doc_id in grades if doc_id not in ranking[:10]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-query", action="store_true", help="Print every query's scores.")
    parser.add_argument("--baseline", type=Path, help="A checkout of main (default: a worktree).")
    parser.add_argument("--rank-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    documents, judged = read_corpus(), read_judgements()
    if args.rank_json:
        print(json.dumps(rank_archive(documents, judged)))
        return

    runs: dict[str, dict[str, list[str]]] = {}
    if args.baseline:
        runs["main"] = rank_other_checkout(args.baseline)
    else:
        with tempfile.TemporaryDirectory(prefix="relevance-main-") as tree:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "add", "-q", "--detach", tree, "main"],
                check=True,
            )
            try:
                runs["main"] = rank_other_checkout(Path(tree))
            finally:
                subprocess.run(
                    ["git", "-C", str(REPO), "worktree", "remove", "--force", tree], check=True
                )
    runs["new"] = rank_archive(documents, judged)
    runs["unicode61"] = rank_unicode61(documents, judged)

    headline = [j for j in judged if j.category != "misspelling"]
    misspelled = [j for j in judged if j.category == "misspelling"]
    print(
        f"{len(documents)} documents, {len(headline)} queries (+ {len(misspelled)} misspelled,"
        " apart)\n"
    )
    categories = sorted({j.category for j in headline})
    print(f"{'nDCG@10 / recall@20':22}" + "".join(f"{name:>20}" for name in runs))
    for group, items in [
        *((c, [j for j in headline if j.category == c]) for c in categories),
        ("ALL", headline),
        ("misspelling (apart)", misspelled),
    ]:
        cells = []
        for ranked in runs.values():
            n = sum(ndcg(ranked[j.key], j.grades) for j in items) / len(items)
            r = sum(recall(ranked[j.key], j.grades) for j in items) / len(items)
            cells.append(f"{n:8.3f} / {r:5.3f}")
        print(f"{group + f' ({len(items)})':22}" + "".join(f"{c:>20}" for c in cells))

    print("\ncompound queries without any judged document in the top 10:")
    for name, ranked in runs.items():
        empty = [
            j.key
            for j in headline
            if j.category.startswith("compound") and not set(ranked[j.key][:10]) & set(j.grades)
        ]
        print(f"  {name}: {len(empty)}" + (": " + ", ".join(empty) if empty else ""))
    print("\ncompound queries with a judged document outside the top 10:")
    for name, ranked in runs.items():
        misses = [
            f"{j.key} ({', '.join(compound_misses(ranked[j.key], j.grades))})"
            for j in headline
            if j.category.startswith("compound") and compound_misses(ranked[j.key], j.grades)
        ]
        print(f"  {name}: {len(misses)}" + (": " + "; ".join(misses) if misses else ""))

    if args.per_query:
        print()
        for j in judged:
            scores = "  ".join(
                f"{name} {ndcg(ranked[j.key], j.grades):.2f}" for name, ranked in runs.items()
            )
            print(f"{j.key:40} {j.category:16} {scores}   new: {' '.join(runs['new'][j.key][:6])}")


if __name__ == "__main__":
    main()
