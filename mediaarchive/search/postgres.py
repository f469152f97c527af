"""The PostgreSQL search backend: one ``tsvector`` per document, GIN-indexed.

It gives PostgreSQL archives the same German behaviour as SQLite archives by indexing the
same analysed tokens (``german.analyse``: folded words, Snowball stems in the text's
language, stems of German compound parts), not PostgreSQL's own ``german`` configuration:
that one neither folds ``ae``/``ä``/``a`` together nor finds compound parts, and a second
stemmer would make the two databases disagree. The database still does the work: the
tokens go into a ``tsvector`` with positions (phrases: ``<->``) and weights, queries are
``tsquery`` lexeme matches (``p.park`` for a compound's part), ranked by ``ts_rank``.

Writes and deletes keep the vocabulary of ``suggest`` (the same tables as on SQLite);
hits are put in order by ``ranking`` (a ``:AB`` weight restriction tells a title or speaker
match), documents found only by a compound part below those found by the word.

Lexemes carry their kind as a prefix: ``e.`` folded word, ``s.`` stem, ``p.`` stem of a
compound part. Weights: A title/speakers exact, B title stems and parts, C body exact, D body stems
and parts. Title and body positions are apart, so a phrase never spans both.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from mediaarchive.db import Asset
from mediaarchive.errors import MediaArchiveError
from mediaarchive.search.backend import (
    RankedDocument,
    SearchBackend,
    register_backend,
    scores_below,
)
from mediaarchive.search.documents import (
    asset_documents,
    asset_facts,
    iter_speech_documents,
    metadata_document,
    ocr_documents,
    segment_documents,
    segment_keys,
)
from mediaarchive.search.filters import ResolvedFilters
from mediaarchive.search.german import ANALYZER_VERSION, analyse, language_token
from mediaarchive.search.hits import IndexDocument
from mediaarchive.search.query import Query, Term
from mediaarchive.search.ranking import METADATA_FACTOR, ordered
from mediaarchive.search.suggest import VocabularyChange, clear_vocabulary
from mediaarchive.vocabulary import HitSource

__all__ = ["PostgresSearchBackend", "document_vector", "head_tsquery", "tsquery"]

#: ts_rank weights of D, C, B, A (body stems/parts, body exact, title stems/parts, title
#: exact), in the proportions of the SQLite backend's bm25 column weights.
WEIGHTS = "{0.15, 0.4, 0.35, 1.0}"
#: tsvector positions stop at 16383; a lexeme keeps at most 256 of them.
MAX_POSITION = 16383
MAX_POSITIONS = 256
BATCH = 2000

_INSERT = text(
    'INSERT INTO search_docs (key, asset_id, source, start, "end", head, text, kind, language,'
    " event_ids, terms, public_asset) VALUES (:key, :asset_id, :source, :start, :end, :head,"
    " :text, :kind, :language, :event_ids, CAST(:terms AS tsvector), :public)"
    " ON CONFLICT (key) DO UPDATE SET asset_id = excluded.asset_id, source = excluded.source,"
    ' start = excluded.start, "end" = excluded."end", head = excluded.head,'
    " text = excluded.text, kind = excluded.kind, language = excluded.language,"
    " event_ids = excluded.event_ids, terms = excluded.terms,"
    " public_asset = excluded.public_asset"
)
#: Advisory lock (held to the end of the transaction) between workers writing the index:
#: shared for one asset's documents, exclusive for a rebuild of all of them.
INDEX_LOCK = 0x73656172  # "sear"


def _add(lexemes: dict[str, list[str]], lexeme: str, position: int, weight: str) -> None:
    positions = lexemes.setdefault(lexeme, [])
    if len(positions) < MAX_POSITIONS:
        positions.append(f"{min(position, MAX_POSITION)}{weight}")


def _add_text(
    lexemes: dict[str, list[str]],
    value: str,
    language: str | None,
    offset: int,
    exact_weight: str,
    other_weight: str,
) -> tuple[int, str]:
    """Add the text's lexemes after position ``offset``; the last position and the folded
    words."""
    analysed = analyse(value, language)
    words = analysed.exact.split()
    for i, (word, stemmed) in enumerate(zip(words, analysed.stems.split(), strict=True)):
        _add(lexemes, f"e.{word}", offset + i + 1, exact_weight)
        _add(lexemes, f"s.{stemmed}", offset + i + 1, other_weight)
    for i, part in enumerate(analysed.parts.split()):
        _add(lexemes, f"p.{part}", offset + i + 1, other_weight)
    return offset + len(words), analysed.exact


def _vector(head: str, body: str, language: str | None = None) -> tuple[str, str, str]:
    """The ``tsvector`` literal of a document, and the folded words of its head and body."""
    lexemes: dict[str, list[str]] = {}
    end_of_head, head_words = _add_text(lexemes, head, language, 0, "A", "B")
    # A gap of one position keeps phrases from spanning the title and the body.
    _, body_words = _add_text(lexemes, body, language, end_of_head + 1, "C", "D")
    vector = " ".join(f"'{lexeme}':{','.join(positions)}" for lexeme, positions in lexemes.items())
    return vector, head_words, body_words


def document_vector(head: str, body: str, language: str | None = None) -> str:
    """The ``tsvector`` literal of a document (tokens are letters and digits only)."""
    return _vector(head, body, language)[0]


def _lexeme(kind: str, word: str, *, prefix: bool = False, head: bool = False) -> str:
    # ":AB" keeps a lexeme to the weights of the title and speakers.
    return (
        f"'{kind}.{word}'"
        + (":*" if prefix else "")
        + ("AB" if head and prefix else ":AB" if head else "")
    )


def _phrase(kind: str, words: Iterable[str], *, head: bool = False) -> str:
    return "(" + " <-> ".join(_lexeme(kind, w, head=head) for w in words) + ")"


def _term(term: Term, *, loose: bool = True, head: bool = False) -> str:
    """The term's tsquery; ``loose``: compound parts too; ``head``: in the title and
    speakers only, as words and inflections (no compound parts)."""
    if term.prefix:
        return _lexeme("e", term.words[0], prefix=True, head=head)
    german, *others = term.stem_variants
    alternatives = [_phrase("e", term.words, head=head), _phrase("s", german, head=head)]
    alternatives += [_phrase("s", stems, head=head) for stems in others if stems != term.words]
    compound = term.compound_stem
    if loose and compound and not head:
        alternatives.append(_lexeme("p", compound))
    return "(" + " | ".join(alternatives) + ")"


def _clause(clause: list[Term], *, loose: bool = True, head: bool = False) -> str:
    return "(" + " | ".join(_term(term, loose=loose, head=head) for term in clause) + ")"


def head_tsquery(query: Query) -> str | None:
    """The ``tsquery`` of "the title and speakers hold every clause of the query"."""
    if query.empty:
        return None
    return " & ".join(_clause(clause, head=True) for clause in query.clauses)


def tsquery(query: Query, *, loose: bool = True) -> str | None:
    """The ``tsquery`` text of a parsed query (None: nothing to find).

    ``loose=False`` leaves out compound parts (words and inflections only).
    """
    if query.empty:
        return None
    expression = " & ".join(_clause(clause, loose=loose) for clause in query.clauses)
    if query.excluded:
        excluded = " | ".join(_term(term) for term in query.excluded)
        expression = f"({expression}) & !({excluded})"
    return expression


class PostgresSearchBackend(SearchBackend):
    """Full-text search for PostgreSQL archives (see the module docstring)."""

    # -- writing ---------------------------------------------------------------------------

    def analyzer_current(self) -> bool:
        value = self.session.execute(
            text("SELECT value FROM search_meta WHERE key = 'analyzer'")
        ).scalar()
        return value == ANALYZER_VERSION

    def _write(self, documents: Iterable[IndexDocument], change: VocabularyChange) -> int:
        count = 0
        batch: list[dict[str, object]] = []
        for doc in documents:
            vector, head_words, body_words = _vector(doc.head, doc.text, doc.language)
            change.add(head_words, body_words, public=doc.public)
            batch.append(
                {
                    "key": doc.key,
                    "asset_id": doc.asset_id,
                    "source": doc.source,
                    "start": doc.start,
                    "end": doc.end,
                    "head": doc.head,
                    "text": doc.text,
                    "kind": doc.kind,
                    "language": language_token(doc.language) if doc.language else "",
                    "event_ids": list(doc.event_ids),
                    "terms": vector,
                    "public": doc.public,
                }
            )
            if len(batch) >= BATCH:
                self.session.execute(_INSERT, batch)
                count += len(batch)
                batch = []
        if batch:
            self.session.execute(_INSERT, batch)
            count += len(batch)
        return count

    def _delete(self, where: str, params: dict[str, object], change: VocabularyChange) -> None:
        for head, body, public in self.session.execute(
            text(f"DELETE FROM search_docs WHERE {where} RETURNING head, text, public_asset"),
            params,
        ):
            change.remove_text(head, body, public=public)

    def remove_asset(self, asset_id: int) -> None:
        change = VocabularyChange()
        self._delete("asset_id = :asset_id", {"asset_id": asset_id}, change)
        change.apply(self.session)

    def index_segments(self, asset: Asset, segment_ids: Collection[int]) -> int:
        if not self.analyzer_current():
            return self.index_asset(asset)  # which rebuilds the whole index
        self._lock(exclusive=False)
        documents = segment_documents(self.session, asset, segment_ids)
        change = VocabularyChange()
        self._delete(
            "key = ANY(CAST(:keys AS bigint[]))", {"keys": segment_keys(segment_ids)}, change
        )
        count = self._write(documents, change)
        change.apply(self.session)
        return count

    def _lock(self, *, exclusive: bool) -> None:
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        self.session.execute(text(f"SELECT {function}(:key)"), {"key": INDEX_LOCK})

    def index_asset(self, asset: Asset) -> int:
        if not self.analyzer_current():
            # Workers indexing their first assets at once: one rebuilds, the others wait
            # and then find the index current.
            self._lock(exclusive=True)
            if not self.analyzer_current():
                self._rebuild_locked()
                return int(
                    self.session.execute(
                        text("SELECT count(*) FROM search_docs WHERE asset_id = :asset_id"),
                        {"asset_id": asset.id},
                    ).scalar()
                    or 0
                )
        else:
            self._lock(exclusive=False)
        documents = asset_documents(self.session, asset)
        change = VocabularyChange()
        self._delete("asset_id = :asset_id", {"asset_id": asset.id}, change)
        count = self._write(documents, change)
        change.apply(self.session)
        return count

    def rebuild(self, *, parallel: bool = True) -> int:
        self._lock(exclusive=True)
        return self._rebuild_locked()

    def _rebuild_locked(self) -> int:
        self.session.flush()
        self.session.execute(text("DELETE FROM search_docs"))
        clear_vocabulary(self.session)
        change = VocabularyChange()
        facts = asset_facts(self.session)
        count = 0
        for asset in self.session.scalars(select(Asset).order_by(Asset.id)):
            documents = [metadata_document(asset, list(asset.events))]
            documents += ocr_documents(self.session, asset, facts[asset.id])
            count += self._write(documents, change)
        count += self._write(iter_speech_documents(self.session, facts), change)
        change.apply(self.session, fresh=True)
        self.session.execute(
            text(
                "INSERT INTO search_meta (key, value) VALUES ('analyzer', :value)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            {"value": ANALYZER_VERSION},
        )
        return count

    # -- searching -------------------------------------------------------------------------

    def example_text(self, word: str, *, public_only: bool = False) -> str | None:
        return self.session.execute(
            text(
                "SELECT head || chr(10) || text FROM search_docs"
                " WHERE terms @@ CAST(:word AS tsquery)"
                + (" AND public_asset" if public_only else "")
                + " LIMIT 1"
            ),
            {"word": _lexeme("e", word)},
        ).scalar()

    def search(self, query: Query, filters: ResolvedFilters, *, limit: int) -> list[RankedDocument]:
        expression = tsquery(query)
        if expression is None or filters.nothing or limit <= 0:
            return []
        conditions = ["terms @@ q"]
        params: dict[str, object] = {
            "query": expression,
            "strict": tsquery(query, loose=False),
            "head": head_tsquery(query),
            "limit": limit,
            "weights": WEIGHTS,
            "metadata": HitSource.METADATA.value,
            "factor": METADATA_FACTOR,
        }
        # Ranked clause by clause and summed (as bm25 sums over terms): ts_rank of an AND
        # or NOT query would score by term proximity instead.
        ranks = []
        for i, clause in enumerate(query.clauses):
            params[f"clause{i}"] = _clause(clause)
            ranks.append(
                f"ts_rank(CAST(:weights AS real[]), terms, CAST(:clause{i} AS tsquery), 1)"
            )
        if filters.event_ids is not None:
            conditions.append("event_ids && CAST(:event_ids AS integer[])")
            params["event_ids"] = list(filters.event_ids)
        if filters.asset_ids is not None:
            conditions.append("asset_id = ANY(CAST(:asset_ids AS integer[]))")
            params["asset_ids"] = list(filters.asset_ids)
        if filters.kind is not None:
            conditions.append("kind = :kind")
            params["kind"] = filters.kind
        if filters.language is not None:
            conditions.append("language = :language")
            params["language"] = language_token(filters.language)
        if filters.source is not None:
            conditions.append("source = :source")
            params["source"] = filters.source
        # The order of ``ranking.ordered``: lifted metadata first, other metadata weighed
        # down; ``ordered`` then gives the final scores of the rows.
        sql = text(
            "SELECT * FROM ("
            'SELECT key, asset_id, source, start, "end", head, text,'
            f" ({' + '.join(ranks)}) * 10 AS score,"
            " terms @@ CAST(:strict AS tsquery) AS strict,"
            " (source = :metadata AND terms @@ CAST(:head AS tsquery)) AS lifted"
            " FROM search_docs, CAST(:query AS tsquery) AS q"
            f" WHERE {' AND '.join(conditions)}"
            ") AS matched ORDER BY lifted DESC, strict DESC,"
            " CASE WHEN source = :metadata THEN score * :factor ELSE score END DESC, key"
            " LIMIT :limit"
        )
        try:
            rows = self.session.execute(sql, params).all()
        except DBAPIError as exc:
            raise MediaArchiveError(
                f"search failed on the PostgreSQL index ({exc.orig}): run 'mediaarchive reindex'"
            ) from exc
        # Documents found only by a compound part rank below those found by the word or
        # an inflection (as on SQLite); then ``ranking`` lifts title/speaker hits.
        strict = {row[0]: float(row[7]) for row in rows if row[8]}
        strict.update(scores_below(strict, {row[0]: float(row[7]) for row in rows if not row[8]}))
        scores = dict(ordered(strict.items(), {row[0] for row in rows if row[9]}))
        documents = [RankedDocument(*row[:7], score=scores[row[0]]) for row in rows]
        documents.sort(key=lambda doc: (-doc.score, doc.key))
        return documents


register_backend("postgresql", PostgresSearchBackend)
