"""Demo stage: the keynote's transcript, with times, and how it was made."""

from __future__ import annotations

from sqlalchemy import select

from mediaarchive.db import Asset
from mediaarchive.demo.base import DemoContext
from mediaarchive.steps.transcribe import transcribe_asset


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:04.1f}"


def print_transcript(ctx: DemoContext) -> None:
    """The keynote's transcript"""
    ids = {r.sha256 for r in ctx.results if getattr(r, "sha256", None)}
    with ctx.archive.session() as session:
        talks = [a for a in session.scalars(select(Asset).where(Asset.kind.in_(("video", "audio"))))
                 if not ids or a.sha256 in ids]
        pending = [a for a in talks if a.current_transcript is None
                   and any(r.kind == "speech_audio" for r in a.renditions)]
    for asset in pending:  # processing did not get to it: transcribe now
        ctx.say(f"Transcribing {asset.short_id}…")
        transcribe_asset(ctx.archive, asset)
    with ctx.archive.session() as session:
        for talk in talks:
            asset = session.get(Asset, talk.id)
            transcript = asset.current_transcript if asset else None
            if asset is None or transcript is None:
                ctx.say(f"{talk.short_id}: no transcript (no speech audio was made)")
                continue
            prov = transcript.provenance or {}
            ctx.say(f"{asset.short_id}  {asset.title or asset.filename}")
            ctx.say(f"    model {transcript.model} ({prov.get('compute_type')}, sha256 "
                    f"{str(prov.get('model_sha256'))[:12]}…), language {transcript.language}, "
                    f"{transcript.duration or 0:.0f} s of audio in "
                    f"{prov.get('processing_seconds') or 0:.1f} s "
                    f"(real-time factor {prov.get('real_time_factor')})")
            for segment in transcript.segments:
                ctx.say(f"    [{_clock(segment.start)}–{_clock(segment.end)}] {segment.text}")
