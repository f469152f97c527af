"""Demo stage: an archivist's first corrections, with the same commands a user has.

The page export named the event after its file (``000_8e33b6325b9cc12a``) and the assets
after theirs (``004.png``); the synthetic keynote was misheard in places. The stage renames
the event, titles the assets from their headings, corrects known misrecognitions with
``transcript replace`` and approves the keynote's transcript, so the subtitles that follow
are written from the corrected revision.
"""

from __future__ import annotations

from mediaarchive import services
from mediaarchive.demo.base import DemoContext
from mediaarchive.demo.media import KEYNOTE_SLIDE, SCREENSHOT_TEXT
from mediaarchive.errors import UserError

EVENT_NAME = "Labcamp 4"
BY = "demo"
#: What Whisper base hears in the espeak-ng keynote (seen with the bundled model; spellings
#: vary with espeak-ng's version), and what was said. Only those found are replaced.
CORRECTIONS = (
    ("Halleberg", "Hallerberg"),
    ("R&B-Hertie-Schol", "Hertie School"),
    ("Hertie-Schol", "Hertie School"),
    ("Super-Baby-Lap", "Super-Baby-Lab"),
    ("Supermäbeler", "Super-Baby-Lab"),
    ("Stadtrabo", "Stadtlabor"),
    ("Stadt-Abo", "Stadtlabor"),
)
KEYNOTE_SPEAKER = "Prof. Mark Hallerberg"
QUALITY_NOTE = (
    "The keynote's voice is synthetic (espeak-ng) and the model is Whisper base, so names "
    "come out wrong more often than in real talks; benchmarks/wer.py measures the word "
    "error rate on real German speech."
)


def _title(filename: str | None, heading: str | None) -> str | None:
    """The heading the asset stands under on the page, else the one it shows itself."""
    if heading:
        return heading
    if filename and filename in SCREENSHOT_TEXT:
        return SCREENSHOT_TEXT[filename][0]
    if filename and filename.lower().endswith((".mp4", ".mov", ".mkv", ".webm")):
        return f"{KEYNOTE_SLIDE[1]}: {KEYNOTE_SLIDE[2]}"
    return None


def curate(ctx: DemoContext) -> None:
    """Curate: name the event, title the assets, correct the keynote and approve it"""
    ids = list(dict.fromkeys(r.id for r in ctx.results if r.id))
    if not ids:
        ctx.say("Nothing ingested to curate.")
        return
    detail = {asset_id: services.views.asset_detail(ctx.archive, asset_id) for asset_id in ids}
    page_event = next((d["event"] for d in detail.values() if d["event"]), None)
    if ctx.event is None and page_event and page_event != EVENT_NAME:
        known = {e["name"] for e in services.status.list_events(ctx.archive)}
        if EVENT_NAME in known:
            services.editing.merge_events(ctx.archive, page_event, EVENT_NAME, by=BY)
            ctx.say(f'mediaarchive events merge "{page_event}" "{EVENT_NAME}"')
        else:
            services.editing.rename_event(ctx.archive, page_event, EVENT_NAME, by=BY)
            ctx.say(f'mediaarchive events rename "{page_event}" "{EVENT_NAME}"')
        ctx.event = EVENT_NAME
    talks = []
    for asset_id, info in detail.items():
        headings = [s["heading"] for s in info["sources"] if s.get("heading")]
        title = _title(info["filename"], headings[0] if headings else None)
        changes: dict[str, object] = {}
        if title and info["title"] in (None, info["filename"]):  # named after its file
            changes["title"] = title
        if info.get("visibility") != "public":  # the demo's media are published
            changes["visibility"] = "public"
        if info["kind"] in ("video", "audio"):
            talks.append(asset_id)
            if not info["speakers"]:
                changes["speakers"] = [KEYNOTE_SPEAKER]
        if changes:
            services.editing.edit_asset(ctx.archive, asset_id, changes, by=BY)
            options = " ".join(
                f'--{"speaker" if k == "speakers" else k} "{v[0] if isinstance(v, list) else v}"'
                if k != "visibility"
                else f"--visibility {v}"
                for k, v in changes.items()
            )
            ctx.say(f"mediaarchive edit {asset_id} {options}")
    if ctx.event:
        services.editing.edit_event(ctx.archive, ctx.event, {"visibility": "public"}, by=BY)
        ctx.say(f'mediaarchive events edit "{ctx.event}" --visibility public')
    for asset_id in talks:
        if services.transcripts.current_transcript(ctx.archive, asset_id) is None:
            continue
        for wrong, right in CORRECTIONS:
            result = services.replace.replace_text(
                ctx.archive, wrong, right, asset_id=asset_id, by=BY
            )
            if result.changes:
                ctx.say(f'mediaarchive transcript replace --asset {asset_id} "{wrong}" "{right}"')
                for change in result.changes:
                    ctx.say(f"    {change.context}")
        try:
            services.review.set_review(ctx.archive, asset_id, "approve", by=BY)
        except UserError as exc:  # pragma: no cover - only without a transcript
            ctx.say(f"  {asset_id}: not approved ({exc})")
            continue
        revision = services.revision_views.transcript_history(ctx.archive, asset_id)[-1]
        ctx.say(
            f"mediaarchive review {asset_id} --approve   (revision {revision.number}, "
            f"by {revision.author})"
        )
    ctx.say(QUALITY_NOTE)
