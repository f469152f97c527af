"""FTS5's bm25 of a query's matches, computed here from the matches themselves.

Why: FTS5's ``bm25()`` counts, once per query, every row in the index holding each phrase
it weighs (the IDF). For a phrase with a common word in it ("die Bahns", "zu der Bunds")
that count seeks into the doclist of "die" (78 % of a million segments) once per row
holding the rarer words, as the match itself already did: the phrase is walked twice,
and the match is walked newest first, which costs FTS5 about twice the oldest-first walk.
When the query is nothing but an OR of phrases (``fts5_match.disjunction``) and it has
at most ``RANK_CANDIDATES`` matches, those matches are every row holding any of its
phrases, so each phrase's count is known from them: one oldest-first walk without bm25,
then the same formula here over the rows' index columns (re-analysed from
``search_docs``, as a delete does) and their sizes (``search_fts_docsize``).

The result is FTS5's own score, bit for bit (same formula, same order of operations;
tests compare it with ``bm25()``): k1 = 1.2, b = 0.75; a phrase's IDF is
log((N - n + 0.5) / (n + 0.5)), 1e-6 when not positive; its frequency in a row is the
sum of the column weights of its instances; the row's length is its tokens in all
columns, against their average over the index (FTS5's averages record).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Callable, Sequence

from mediaarchive.search.fts5_match import COLUMNS, Phrase

__all__ = ["bm25_of_matches", "tokens"]

K1 = 1.2
B = 0.75
#: FTS5's "ascii" tokenizer: runs of ASCII letters and digits and of any non-ASCII
#: character; only ASCII letters are folded to lower case.
_TOKEN = re.compile(r"[0-9A-Za-z\u0080-\U0010ffff]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
#: The id of FTS5's averages record in ``<table>_data``: the row count, then the
#: total number of tokens of each column.
_AVERAGES_ID = 1

#: (rowid, head, text, facets) -> the tokens of the row's index columns, as they were
#: written (those the phrases look in; the others may be left empty).
ColumnsOf = Callable[[int, str, str, str], Sequence[list[str]]]


def tokens(text: str) -> list[str]:
    """The tokens FTS5's "ascii" tokenizer makes of ``text``."""
    return _TOKEN.findall(text.translate(_ASCII_LOWER))


def _varints(blob: bytes) -> list[int]:
    """SQLite's big-endian varints (``sqlite3Fts5GetVarint``), as FTS5 writes its records."""
    values, i, size = [], 0, len(blob)
    while i < size:
        value = 0
        for j in range(9):
            byte = blob[i]
            i += 1
            if j == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


def _instances(words: list[str], phrase: list[str]) -> int:
    """How often ``phrase`` occurs in ``words`` (overlapping occurrences count, as FTS5's)."""
    if len(phrase) == 1:
        return words.count(phrase[0])
    first, size, found, at = phrase[0], len(phrase), 0, -1
    while True:
        try:
            at = words.index(first, at + 1)
        except ValueError:
            return found
        if words[at : at + size] == phrase:
            found += 1


def bm25_of_matches(
    db: sqlite3.Connection,
    rowids: Sequence[int],
    phrases: Sequence[Phrase],
    weights: Sequence[float],
    columns_of: ColumnsOf,
) -> list[tuple[int, float]] | None:
    """``(rowid, -bm25)`` of every row in ``rowids`` (newest first), as FTS5's
    ``bm25(search_fts, *weights)`` would score it for the OR of ``phrases``, given that
    ``rowids`` are all the rows matching that OR. None when a row's document or size is
    missing (the index and ``search_docs`` disagree): the caller asks FTS5 instead."""
    if not rowids:
        return []
    (record,) = db.execute(
        "SELECT block FROM search_fts_data WHERE id = ?", (_AVERAGES_ID,)
    ).fetchone()
    averages = _varints(record)
    total_rows, total_tokens = averages[0], sum(averages[1:])
    if total_rows <= 0:
        return None
    documents = db.execute(
        "SELECT d.rowid, d.head, d.text, d.facets, z.sz FROM search_docs AS d"
        " JOIN search_fts_docsize AS z ON z.id = d.rowid"
        " WHERE d.rowid IN (SELECT value FROM json_each(?))",
        (json.dumps(list(rowids)),),
    ).fetchall()
    if len(documents) != len(rowids):
        return None
    wanted = [
        ([COLUMNS.index(column) for column in phrase.columns], tokens(" ".join(phrase.words)))
        for phrase in phrases
    ]
    holding = [0] * len(phrases)
    rows: list[tuple[int, list[float], int]] = []
    for rowid, head, text, facets, size in documents:
        columns = columns_of(rowid, head, text, facets)
        frequencies = []
        for i, (numbers, phrase) in enumerate(wanted):
            frequency, present = 0.0, False
            for column in numbers:
                found = _instances(columns[column], phrase)
                if found:
                    # FTS5 adds the column's weight once per instance.
                    for _ in range(found):
                        frequency += weights[column]
                    present = True
            holding[i] += present
            frequencies.append(frequency)
        # The row's size record: its columns' token counts (one byte each below 128).
        length = sum(size) if max(size, default=0) < 0x80 else sum(_varints(size))
        rows.append((rowid, frequencies, length))
    return _scores(rows, holding, total_rows, total_tokens / total_rows)


def _scores(
    rows: list[tuple[int, list[float], int]],
    holding: list[int],
    total_rows: int,
    average_length: float,
) -> list[tuple[int, float]]:
    idf = []
    for count in holding:
        value = math.log((total_rows - count + 0.5) / (count + 0.5))
        idf.append(value if value > 0.0 else 1e-6)
    scored = []
    for rowid, frequencies, length in rows:
        score = 0.0
        for i, frequency in enumerate(frequencies):
            score += idf[i] * (
                (frequency * (K1 + 1.0)) / (frequency + K1 * (1 - B + B * length / average_length))
            )
        scored.append((rowid, score))
    scored.sort(key=lambda row: -row[0])
    return scored
