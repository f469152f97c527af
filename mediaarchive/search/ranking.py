"""The order of hits, shared by every backend: what was said or shown comes first.

A backend scores each matching document (bm25, ts_rank: higher is better) and tells which
metadata documents hold the whole query in their head, the asset's title or a speaker's
name, as words or inflections (not as compound parts). Then:

- such a metadata hit is *lifted* above every other hit: a query that names a talk's title
  or its speaker is looking for that talk;
- any other metadata hit (the word is only in the event's name or description, the file
  name, or a part of a title word) counts ``METADATA_FACTOR`` of its score, so it ranks
  below a speech or text hit of the same strength. An event's name is shared by all its
  assets: without this, "Labor" listed every talk of the "Stadtlabor-Werkstatt" before the
  one in which someone said "Labor".

Each asset has one metadata document, so a metadata match counts once per asset.
Scores stay "higher is better" and follow the order: a lifted hit's score is its own plus
the best score of the hits it was lifted over.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Iterable
from operator import itemgetter

from mediaarchive.search.documents import METADATA_BASE

__all__ = ["METADATA_FACTOR", "is_metadata", "ordered"]

#: The share of its score a metadata hit keeps when the query is not its title or speaker.
METADATA_FACTOR = 0.5


def is_metadata(key: int) -> bool:
    """True for the key of a metadata document (see ``documents``)."""
    return key >= METADATA_BASE


def ordered(
    scored: Iterable[tuple[int, float]], lifted: Collection[int], limit: int | None = None
) -> list[tuple[int, float]]:
    """(key, final score) best first, from (key, backend score) and the lifted keys; the
    best ``limit`` only when given. Equal scores go by key, lowest first."""
    final = list(scored)
    if lifted or (final and is_metadata(max(final)[0])):
        rest: list[tuple[int, float]] = []
        top: list[tuple[int, float]] = []
        for key, score in final:
            if key in lifted:
                top.append((key, score))
            elif is_metadata(key):
                rest.append((key, score * METADATA_FACTOR))
            else:
                rest.append((key, score))
        floor = max(rest, key=itemgetter(1))[1] if rest else 0.0
        above = math.nextafter(floor, math.inf)  # strictly, even for a score of 0
        final = [(key, max(score + floor, above)) for key, score in top] + rest
    if limit is not None and limit < len(final):
        # The top few of a search's thousands of candidates, without sorting them all:
        # those scoring at least the limit-th best score (ties at the cut go by key below).
        cut = heapq.nlargest(limit, final, key=itemgetter(1))[-1][1]
        final = [item for item in final if item[1] >= cut]
    final.sort(key=_best_first, reverse=True)
    return final[:limit]


def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    """Sort key, largest first: the higher score, then the lower key."""
    return item[1], -item[0]
