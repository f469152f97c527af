"""Demo stage: search the seed's keynote for a word spoken in it."""

from __future__ import annotations

import html
import re

from mediaarchive.demo.base import DemoContext
from mediaarchive.errors import NotFoundError
from mediaarchive.services import pages, search, views
from mediaarchive.vocabulary import HitSource

#: Words the keynote (the seed page, spoken) contains, tried in this order; "Labor" also
#: shows compounds and inflections (Innovationslaboren, StadtLABOR).
PREFERRED_WORDS = ("Innovationslaboren", "Labor", "Stadtlabor", "Verwaltung", "Innovation")
#: Words of at least this many letters from the keynote are tried after the preferred ones.
LONG_WORD = 8
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_WORD = re.compile(r"[^\W_]+")  # letters and digits, as the index splits words


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60:d}:{whole % 60:02d}"


def _candidates(spoken: str) -> list[str]:
    longest = sorted(
        {word for word in _WORD.findall(spoken) if len(word) >= LONG_WORD},
        key=lambda word: (-len(word), word),
    )
    return [*PREFERRED_WORDS, *longest[:20]]


def search_keynote(ctx: DemoContext) -> None:
    """Search the keynote for a word spoken in it"""
    sha256 = next((r.sha256 for r in ctx.results if r.kind == "video" and r.sha256), None)
    if sha256 is None:
        ctx.say("No keynote was ingested: nothing to search.")
        return
    try:
        search.reindex(ctx.archive, sha256)  # what the pipeline's "index" step does
        with views.read_session(ctx.archive) as session:
            keynote = pages.asset_page(session, sha256)
    except NotFoundError:
        ctx.say("The keynote is not in the archive: nothing to search.")
        return
    spoken = " ".join(segment.text for segment in keynote.segments)
    source = HitSource.SPEECH if spoken else HitSource.METADATA
    if not spoken:
        ctx.say("The keynote has no transcript yet, so this searches what is known about it.")
    for word in _candidates(spoken):
        hits = [
            hit
            for hit in search.search(ctx.archive, word, source=source, limit=50)
            if hit.asset_id == keynote.asset.id
        ]
        if hits:
            break
    else:
        ctx.say("No word of the keynote was found in the index.")
        return
    hit = hits[0]
    when = ""
    if hit.start is not None:
        when = f" at {_clock(hit.start)}–{_clock(hit.end or hit.start)}"
    snippet = html.unescape(_MARK.sub(lambda m: f"»{m.group(1)}«", hit.snippet))
    ctx.say(f'$ mediaarchive search "{word}" --source {source}')
    ctx.say(f"{len(hits)} hit(s) in the keynote; the best{when}:")
    ctx.say(f"  {hit.asset_id}  {hit.event or ''} · {hit.title or ''}")
    ctx.say(f"  {snippet}")
    ctx.say(f"  {hit.link}")
    ctx.data["search_hit"] = hit
