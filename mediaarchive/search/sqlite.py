"""The SQLite search backend: one contentless FTS5 table over analysed tokens.

``search_fts`` columns (all tokens come from ``german.analyse``):

====== ========================== ====================================================
column what                        matches
====== ========================== ====================================================
t_*    title and speakers          as b_*, weighted higher
b_*    speech, OCR, description    exact: folded words; stem: stems (in the text's
       and event names             language); part: stems of compound parts (German)
facets filter values               asN, evN, kindK, langL, srcS (weight 0)
====== ========================== ====================================================

``search_docs`` (same rowid) keeps what a hit shows and what a delete must re-analyse
(FTS5 contentless tables delete by re-supplying the indexed values), and whether the
document's asset was public when it was counted into the vocabulary (``suggest``), which
every write and delete here keeps up to date. Hits are put in order by ``ranking``.

A rebuild loads in bulk: ``search_docs`` straight from the segments table in SQL, the FTS5
rows made by a second process (which reads the segments itself) while this one writes
them (``bulk``), FTS5's merging put off to one 'optimize' (``fts5_bulk``).

Speed: a ranked FTS5 query computes bm25 for every matching row, which takes seconds for a
word in most of a million segments. A search therefore ranks at most ``RANK_CANDIDATES``
matching rows: all of them when there are fewer, else those with the highest rowids, which
are metadata, then OCR text, then the newest speech (see ``documents``): FTS5 walks a match
in rowid order and SQLite stops at the limit, so bm25 is computed for those rows only. A
word that common has almost no weight in bm25 anyway. But bm25 also counts, once per query,
every row that holds each word it weighs (80 ms for "die", in 78 % of a million
segments): stop words are matched but not weighed (``Query.ranked``), and a query of only
stop words lists its newest matches first. Compound parts are only looked up
when the words and their inflections alone give fewer than ``limit`` hits (they would rank
below them). A phrase with a common word in it ("zu der Bunds") costs FTS5 a walk through
that word's doclist for the match and another for bm25's count: when its matches are few
for that walk, they are scored here instead, to the same scores (``_few_matches``).
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from mediaarchive.db import Asset
from mediaarchive.errors import MediaArchiveError
from mediaarchive.search.backend import (
    RankedDocument,
    SearchBackend,
    register_backend,
    scores_below,
)
from mediaarchive.search.bulk import fts_batches
from mediaarchive.search.documents import (
    METADATA_BASE,
    AssetFacts,
    asset_documents,
    asset_facts,
    metadata_document,
    ocr_documents,
    segment_documents,
    segment_keys,
)
from mediaarchive.search.filters import ResolvedFilters
from mediaarchive.search.fts5_bulk import SpeechDocs, bulk_load, facet_string, speech_rows
from mediaarchive.search.fts5_match import (
    Phrase,
    disjunction,
    head_expression,
    match_expression,
    quoted,
)
from mediaarchive.search.fts5_score import bm25_of_matches
from mediaarchive.search.german import ANALYZER_VERSION, analyse, exact_and_stems
from mediaarchive.search.hits import IndexDocument
from mediaarchive.search.query import Query
from mediaarchive.search.ranking import is_metadata, ordered
from mediaarchive.search.suggest import VocabularyChange, clear_vocabulary

__all__ = ["SqliteSearchBackend"]

#: bm25 weights of t_exact, t_stem, t_part, b_exact, b_stem, b_part, facets.
WEIGHTS = (10.0, 5.0, 2.5, 4.0, 2.0, 1.0, 0.0)
#: Most rows ranked per source range (see the module docstring). bm25 costs ~8 us a row
#: per phrase weighed: 3,000 rows of a two-phrase term take 26 ms, 4,000 took 33 ms (1M
#: segments); with 3,000 the benchmark's p95 went from ~48 to ~41 ms. Only a word in more
#: than 3,000 documents is cut, to its newest 3,000 matches.
RANK_CANDIDATES = 3000
#: A phrase query's matches scored here rather than by FTS5 (``_few_matches``): the
#: seconds to score one (``fts5_score``: ~45 us on the 1M-segment benchmark), and how many
#: more walks of the phrase FTS5's bm25 costs (matching newest first ~1.5 walks oldest
#: first, then its IDF pass ~1: measured 1.8-3.3x the oldest-first walk in all).
SCORE_SECONDS = 45e-6
BM25_WALKS = 1.5
_WALK_BATCH = 64
#: Score steps of the matches of a query of only stop words, newest first.
UNRANKED_STEP = 1e-6
#: Rows per executemany while writing.
_BATCH = 5000

_INSERT_FTS = (
    "INSERT INTO search_fts (rowid, t_exact, t_stem, t_part, b_exact, b_stem, b_part, facets)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_DELETE_FTS = (
    "INSERT INTO search_fts (search_fts, rowid, t_exact, t_stem, t_part, b_exact, b_stem,"
    " b_part, facets) VALUES ('delete', ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_DOC = (
    'INSERT INTO search_docs (rowid, asset_id, source, start, "end", head, text, facets,'
    " public_asset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _facets(doc: IndexDocument, cache: dict[tuple, str]) -> str:  # type: ignore[type-arg]
    key = (doc.asset_id, doc.kind, doc.source, doc.language, tuple(doc.event_ids))
    facets = cache.get(key)
    if facets is None:
        facets = cache[key] = facet_string(
            doc.asset_id, doc.kind, doc.source, doc.language, doc.event_ids
        )
    return facets


def _facet_language(facets: str) -> str | None:
    for token in facets.split():
        if token.startswith("lang"):
            return token[4:]
    return None


def _fts_values(  # type: ignore[type-arg]
    rowid: int, head: str, body: str, facets: str, language: str | None = None
) -> tuple:
    # A delete re-analyses the text exactly as it was indexed: the language comes from the
    # facets, which search_docs keeps.
    if language is None:
        language = _facet_language(facets)
    b = analyse(body, language)
    if not head:
        return (rowid, "", "", "", b.exact, b.stems, b.parts, facets)
    h = analyse(head, language)
    return (rowid, h.exact, h.stems, h.parts, b.exact, b.stems, b.parts, facets)


@contextmanager
def _usable_index() -> Iterator[None]:
    """An index FTS5 cannot read (damaged, or from another build) is the user's to rebuild."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise MediaArchiveError(
            f"search index is not usable ({exc}): run 'mediaarchive reindex'"
        ) from exc


def _word_columns(rowid: int, head: str, body: str, facets: str) -> list[list[str]]:
    """The words of a document's index columns as ``_fts_values`` writes them, but the
    compound parts (left empty): for phrases of words and stems, without splitting."""
    language = _facet_language(facets)
    b_exact, b_stems = exact_and_stems(body, language)
    t_exact, t_stems = exact_and_stems(head, language)
    return [t_exact, t_stems, [], b_exact, b_stems, [], facets.split()]


class SqliteSearchBackend(SearchBackend):
    """FTS5 search for SQLite archives (see the module docstring)."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)

    @property
    def _db(self) -> sqlite3.Connection:
        return self.session.connection().connection.driver_connection  # type: ignore[return-value]

    # -- writing ---------------------------------------------------------------------------

    def analyzer_current(self) -> bool:
        # On the driver's connection: asked before every search (0.5 ms through SQLAlchemy).
        row = self._db.execute("SELECT value FROM search_meta WHERE key = 'analyzer'").fetchone()
        return row is not None and row[0] == ANALYZER_VERSION

    def _write(self, documents: Iterable[IndexDocument], change: VocabularyChange) -> int:
        db = self._db
        count = 0
        batch_fts: list[tuple] = []  # type: ignore[type-arg]
        batch_docs: list[tuple] = []  # type: ignore[type-arg]
        facet_cache: dict[tuple, str] = {}  # type: ignore[type-arg]
        for doc in documents:
            facets = _facets(doc, facet_cache)
            values = _fts_values(doc.key, doc.head, doc.text, facets, doc.language or "")
            batch_fts.append(values)
            batch_docs.append(
                (
                    doc.key,
                    doc.asset_id,
                    doc.source,
                    doc.start,
                    doc.end,
                    doc.head,
                    doc.text,
                    facets,
                    doc.public,
                )
            )
            change.add(values[1], values[4], public=doc.public)  # the folded words
            if len(batch_fts) >= _BATCH:
                db.executemany(_INSERT_FTS, batch_fts)
                db.executemany(_INSERT_DOC, batch_docs)
                count += len(batch_fts)
                batch_fts.clear()
                batch_docs.clear()
        if batch_fts:
            db.executemany(_INSERT_FTS, batch_fts)
            db.executemany(_INSERT_DOC, batch_docs)
            count += len(batch_fts)
        return count

    def _write_speech(
        self, facts: dict[int, AssetFacts], change: VocabularyChange, *, parallel: bool
    ) -> int:
        """Write every segment's documents into the emptied index: ``search_docs`` rows
        straight from the segments table in SQL, the FTS5 rows as ``bulk`` makes them (by a
        second process, when it can, while this one writes)."""
        db = self._db
        rows = speech_rows(self.session, db, facts)
        docs = SpeechDocs(db, rows.owners)
        count = 0
        public: Counter[str] = Counter()
        try:
            for batch in fts_batches(rows, db, public, parallel=parallel, idle=docs.write_next):
                db.executemany(_INSERT_FTS, batch)
                count += len(batch)
            docs.write_all()
        finally:
            docs.close()
        change.public.update(public)
        return count

    def _delete(self, rows: list[tuple], change: VocabularyChange) -> None:  # type: ignore[type-arg]
        """Delete the FTS5 rows of these (rowid, head, text, facets, public_asset) rows."""
        deleted = [_fts_values(*row[:4]) for row in rows]
        self._db.executemany(_DELETE_FTS, deleted)
        for values, row in zip(deleted, rows, strict=True):
            change.remove(values[1], values[4], public=bool(row[4]))

    def remove_asset(self, asset_id: int) -> None:
        change = VocabularyChange()
        self._remove_asset(asset_id, change)
        change.apply(self.session)

    def _remove_asset(self, asset_id: int, change: VocabularyChange) -> None:
        db = self._db
        rows = db.execute(
            "SELECT rowid, head, text, facets, public_asset FROM search_docs WHERE asset_id = ?",
            (asset_id,),
        ).fetchall()
        self._delete(rows, change)
        db.execute("DELETE FROM search_docs WHERE asset_id = ?", (asset_id,))

    def _remove_keys(self, keys: list[int], change: VocabularyChange) -> None:
        db = self._db
        for start in range(0, len(keys), 500):  # SQLite's limit on bound parameters
            chunk = keys[start : start + 500]
            placeholders = ",".join("?" * len(chunk))
            rows = db.execute(
                "SELECT rowid, head, text, facets, public_asset FROM search_docs"
                f" WHERE rowid IN ({placeholders})",
                chunk,
            ).fetchall()
            self._delete(rows, change)
            db.execute(f"DELETE FROM search_docs WHERE rowid IN ({placeholders})", chunk)

    def index_segments(self, asset: Asset, segment_ids: Collection[int]) -> int:
        if not self.analyzer_current():
            return self.index_asset(asset)  # which rebuilds the whole index
        documents = segment_documents(self.session, asset, segment_ids)
        change = VocabularyChange()
        self._remove_keys(segment_keys(segment_ids), change)
        count = self._write(documents, change)
        change.apply(self.session)
        return count

    def index_asset(self, asset: Asset) -> int:
        if not self.analyzer_current():
            # A new analyser (or an archive from before search): deletes would not match.
            self.rebuild(parallel=False)  # within the step's thread budget
            return sum(
                1
                for _ in self._db.execute(
                    "SELECT 1 FROM search_docs WHERE asset_id = ?", (asset.id,)
                )
            )
        documents = asset_documents(self.session, asset)
        # One change for what leaves and what comes back: re-indexing an asset whose text
        # did not change leaves the vocabulary alone.
        change = VocabularyChange()
        self._remove_asset(asset.id, change)
        count = self._write(documents, change)
        change.apply(self.session)
        return count

    def rebuild(self, *, parallel: bool = True) -> int:
        self.session.flush()
        db = self._db
        # A worker process reads what is committed: what this one reads only if this
        # transaction has written nothing yet.
        parallel = parallel and not db.in_transaction
        # How often each word occurs, FTS5 counts itself below; only public documents are
        # counted on the way in.
        change = VocabularyChange(public_only=True)
        with bulk_load(db):
            db.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
            # Read after the first write: no other job adds an asset until this commits.
            facts = asset_facts(self.session)
            db.execute("DELETE FROM search_docs")
            clear_vocabulary(self.session)
            # Speech first: FTS5 takes rows fastest in rowid order (speech, OCR, metadata).
            count = self._write_speech(facts, change, parallel=parallel)
            for asset in self.session.scalars(select(Asset).order_by(Asset.id)):
                events = list(asset.events)
                documents = [metadata_document(asset, events)]
                documents += ocr_documents(self.session, asset, facts[asset.id])
                count += self._write(documents, change)
            db.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
        db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_terms"
            " USING fts5vocab(main, search_fts, 'col')"
        )
        change.counts.update(
            dict(
                db.execute(
                    "SELECT term, sum(cnt) FROM temp.search_terms"
                    " WHERE col IN ('t_exact', 'b_exact') GROUP BY term"
                )
            )
        )
        change.apply(self.session, fresh=True)
        db.execute(
            "INSERT INTO search_meta (key, value) VALUES ('analyzer', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (ANALYZER_VERSION,),
        )
        return count

    # -- searching -------------------------------------------------------------------------

    def _match(self, sql: str, parameters: tuple) -> list[tuple]:  # type: ignore[type-arg]
        with _usable_index():
            return self._db.execute(sql, parameters).fetchall()

    def _candidates(
        self, full: str, ranked: str | None, phrases: list[Phrase] | None = None
    ) -> list[tuple[int, float]]:
        """(rowid, score: higher is better) of the newest ``RANK_CANDIDATES`` rows matching
        ``full``, scored by bm25 over ``ranked``: ``full`` without its clauses of only stop
        words (``Query.ranked``). ``ranked`` None: the query is only stop words, its
        matches come newest first (bm25 would weigh them all ~0 after walking them all).
        ``phrases``: ``full`` is their OR (``disjunction``); with several words in one of
        them, a query with few matches is scored from them (``fts5_score``)."""
        few = self._few_matches(full, ranked, phrases) if phrases else None
        if few is not None:
            return few
        if ranked is None:
            rows = self._match(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
                (full, RANK_CANDIDATES),
            )
            return [(rowid, (len(rows) - i) * UNRANKED_STEP) for i, (rowid,) in enumerate(rows)]
        weights = ", ".join(str(w) for w in WEIGHTS)
        scored = self._match(
            f"SELECT rowid, bm25(search_fts, {weights}) FROM search_fts"
            " WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (ranked, RANK_CANDIDATES),
        )
        if ranked == full or not scored:
            return [(rowid, -bm25) for rowid, bm25 in scored]
        # The stop words must be there too: one unranked match over the candidates' range.
        holding = {
            rowid
            for (rowid,) in self._match(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH ?"
                " AND rowid >= ? AND rowid <= ?",
                (full, scored[-1][0], scored[0][0]),
            )
        }
        return [(rowid, -bm25) for rowid, bm25 in scored if rowid in holding]

    def _few_matches(
        self, full: str, ranked: str | None, phrases: list[Phrase]
    ) -> list[tuple[int, float]] | None:
        """``_candidates`` of a phrase query found without bm25 (oldest first, which FTS5
        walks faster) and scored here as bm25 would score them (``fts5_score``), when that
        is the cheaper way: None when it is not, or when the query is not only its
        phrases (stop words to check apart, compound parts to split) or has no phrase of
        several words (one word's bm25 costs FTS5 little).

        Which way is cheaper depends on how densely the matches come: FTS5's bm25 costs
        about ``BM25_WALKS`` more walks of the phrase, scoring here ``SCORE_SECONDS`` a
        match. The walk goes on while each batch of matches it finds is cheaper to score
        here than the walks it would spare; both ways give the same scores."""
        if (
            ranked != full
            or all(len(phrase.words) == 1 for phrase in phrases)
            or any(column.endswith("_part") for phrase in phrases for column in phrase.columns)
        ):
            return None
        rows: list[int] = []
        with _usable_index():
            began = time.perf_counter()
            cursor = self._db.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH ?", (full,)
            )
            while batch := cursor.fetchmany(_WALK_BATCH):
                rows.extend(rowid for (rowid,) in batch)
                now = time.perf_counter()
                # Judged batch by batch: the first pages' reads make a start look sparse.
                if len(rows) > RANK_CANDIDATES or (
                    len(batch) * SCORE_SECONDS > BM25_WALKS * (now - began)
                ):
                    cursor.close()
                    return None
                began = now
        return bm25_of_matches(self._db, rows, phrases, WEIGHTS, _word_columns)

    def _ranked(
        self, full: str, ranked: str | None, head: str, limit: int, phrases: list[Phrase] | None
    ) -> list[tuple[int, float]]:
        """The best ``limit`` (rowid, score) of ``_candidates``, in the order of ``ranking``."""
        candidates = self._candidates(full, ranked, phrases)
        lifted: set[int] = set()
        if candidates and is_metadata(max(candidates)[0]):
            # Metadata rows have the highest rowids: FTS5 seeks straight to them.
            lifted = {
                rowid
                for (rowid,) in self._match(
                    "SELECT rowid FROM search_fts WHERE search_fts MATCH ? AND rowid >= ?",
                    (head, METADATA_BASE),
                )
            }
        return ordered(candidates, lifted, limit)

    def example_text(self, word: str, *, public_only: bool = False) -> str | None:
        row = self._db.execute(
            "SELECT d.head || char(10) || d.text FROM search_fts"
            " JOIN search_docs AS d ON d.rowid = search_fts.rowid"
            " WHERE search_fts MATCH ?"
            + (" AND d.public_asset" if public_only else "")
            + " LIMIT 1",
            (f"{{t_exact b_exact}} : {quoted([word])}",),
        ).fetchone()
        return row[0] if row else None

    def search(self, query: Query, filters: ResolvedFilters, *, limit: int) -> list[RankedDocument]:
        if query.empty or filters.nothing or limit <= 0:
            return []
        strict = match_expression(query, filters, loose=False)
        loose = match_expression(query, filters, loose=True)
        head = head_expression(query)
        assert strict is not None and loose is not None and head is not None
        ranked = query.ranked()
        scores = dict(
            self._ranked(
                strict,
                match_expression(ranked, filters, loose=False),
                head,
                limit,
                disjunction(query, filters, loose=False),
            )
        )
        if loose != strict and len(scores) < limit:
            # Too few words and inflections: add compound parts, which rank below them.
            ranked_loose = match_expression(ranked, filters, loose=True)
            parts = {
                rowid: score
                for rowid, score in self._ranked(
                    loose, ranked_loose, head, limit, disjunction(query, filters, loose=True)
                )
                if rowid not in scores
            }
            scores.update(scores_below(scores, parts))
            scores = dict(sorted(scores.items(), key=lambda item: -item[1])[:limit])
        if not scores:
            return []
        placeholders = ",".join("?" * len(scores))
        rows = self._db.execute(
            f'SELECT rowid, asset_id, source, start, "end", head, text FROM search_docs'
            f" WHERE rowid IN ({placeholders})",
            list(scores),
        ).fetchall()
        documents = [RankedDocument(*row, score=scores[row[0]]) for row in rows]
        documents.sort(key=lambda doc: (-doc.score, doc.key))
        return documents


register_backend("sqlite", SqliteSearchBackend)
