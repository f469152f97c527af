"""Demo stage: the keynote's transcript, with times, and how it was made."""

from __future__ import annotations

from mediaarchive import services
from mediaarchive.demo.base import DemoContext
from mediaarchive.errors import TranscriptionError
from mediaarchive.vocabulary import AssetKind

_TALKS = (AssetKind.VIDEO, AssetKind.AUDIO)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:04.1f}"


def print_transcript(ctx: DemoContext) -> None:
    """The keynote's transcript"""
    talks = list(dict.fromkeys(r.id for r in ctx.results if r.id and r.kind in _TALKS))
    for asset_id in talks:
        transcript = services.transcripts.current_transcript(ctx.archive, asset_id)
        if transcript is None:  # processing did not get to it: transcribe now
            ctx.say(f"Transcribing {asset_id}…")
            try:
                services.transcripts.transcribe(ctx.archive, asset_id)
            except TranscriptionError as exc:
                ctx.say(f"{asset_id}: no transcript ({exc})")
                continue
            transcript = services.transcripts.current_transcript(ctx.archive, asset_id)
        if transcript is None:
            ctx.say(f"{asset_id}: no transcript")
            continue
        prov = transcript.provenance
        ctx.say(f"{transcript.asset_id}  {transcript.title}")
        ctx.say(
            f"    model {transcript.model} ({prov.get('compute_type')}, sha256 "
            f"{str(prov.get('model_sha256'))[:12]}…), language {transcript.language}, "
            f"{transcript.duration or 0:.0f} s of audio in "
            f"{prov.get('processing_seconds') or 0:.1f} s "
            f"(real-time factor {prov.get('real_time_factor')})"
        )
        for segment in transcript.segments:
            ctx.say(f"    [{_clock(segment.start)}–{_clock(segment.end)}] {segment.text}")
