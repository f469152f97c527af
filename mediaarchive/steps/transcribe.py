"""Step "transcribe": the asset's speech audio becomes a transcript with segments and words.

Segments are committed as they are produced. A run that was killed leaves an incomplete
transcript; the next run with the same model and options continues after its last stored
segment (no gap, no duplicate). A finished transcript becomes the current one; older
transcripts are kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mediaarchive.archive import Archive
from mediaarchive.asr.transcriber import (
    DecodingOptions,
    build_prompt,
    get_transcriber,
    load_audio,
    read_glossary,
)
from mediaarchive.db import Asset, Segment, Transcript, Word
from mediaarchive.errors import TranscriptionError
from mediaarchive.steps.base import StepContext, step

PARAMS: dict[str, Any] = {"model": None, "language": None, "glossary": None}
#: Called with (seconds of audio done, seconds in all, unit).
Progress = Callable[[float, float, str], None]


@step(
    "transcribe",
    kinds=("video", "audio"),
    params=PARAMS,
    description="German speech to text with faster-whisper (segments and words with times).",
    queue="asr",
)
def transcribe(ctx: StepContext) -> None:
    glossary = ctx.params.get("glossary")
    transcribe_into(
        ctx.archive, ctx.session, ctx.asset,
        model=ctx.params.get("model"),
        language=ctx.params.get("language"),
        glossary=Path(glossary) if glossary else None,
        threads=ctx.threads,
        progress=ctx.progress,
        checkpoint=lambda **state: ctx.checkpoint(**state),
    )


def transcribe_asset(archive: Archive, asset: Asset, *, model: str | None = None,
                     language: str | None = None, glossary: Path | None = None,
                     progress: Progress | None = None) -> dict[str, Any]:
    """(Re)transcribe one asset now; the new transcript becomes current, older ones stay.

    Returns:
        A summary: transcript id, model, language, segments, duration, seconds, rtf.
    """
    with archive.session() as session:
        asset = session.get(Asset, asset.id) or asset
        transcript = transcribe_into(archive, session, asset, model=model, language=language,
                                     glossary=glossary, threads=archive.settings.total_threads,
                                     progress=progress, checkpoint=lambda **_: session.commit())
        segments = session.scalar(select(func.count(Segment.id)).where(
            Segment.transcript_id == transcript.id)) or 0
        prov = transcript.provenance
        return {
            "id": asset.short_id,
            "transcript": transcript.id,
            "model": transcript.model,
            "language": transcript.language,
            "language_probability": transcript.language_probability,
            "segments": segments,
            "duration": transcript.duration,
            "seconds": prov.get("processing_seconds"),
            "rtf": prov.get("real_time_factor"),
        }


def transcribe_into(archive: Archive, session: Session, asset: Asset, *, model: str | None,
                    language: str | None, glossary: Path | None, threads: int,
                    progress: Progress | None = None,
                    checkpoint: Callable[..., None] | None = None) -> Transcript:
    """Transcribe ``asset``'s speech audio into a Transcript (resuming an interrupted one)."""
    settings = archive.settings
    began = time.monotonic()
    commit = checkpoint or (lambda **_: session.commit())
    label = f"asset {asset.short_id}"
    rendition = next((r for r in asset.renditions if r.kind == "speech_audio"), None)
    if rendition is None:
        if (asset.probe or {}).get("has_audio") is False:
            empty = _finish_empty(session, asset, settings.model if model is None else model,
                                  "the asset has no audio stream: nothing was said")
            commit(transcript_id=empty.id, seconds_done=0.0, seconds_total=0.0)
            return empty
        raise TranscriptionError(
            f"{label} has no speech audio yet: run its transcode step first "
            f"('mediaarchive run', or 'mediaarchive retry {asset.short_id}')")

    transcriber = get_transcriber(settings, model, threads=threads)
    requested = (language or asset.language or settings.language or "de").lower()
    terms = read_glossary(glossary) if glossary else []
    prompt, hotwords = build_prompt(
        event=asset.event.name if asset.event else None, title=asset.title,
        speakers=list(asset.speakers or []), glossary=terms)
    base_options = DecodingOptions(language=None if requested == "auto" else requested,
                                   beam_size=settings.asr_beam_size,
                                   batch_size=settings.asr_batch_size,
                                   initial_prompt=prompt, hotwords=hotwords)
    resume_key = {"model_sha256": transcriber.model.sha256, "requested_language": requested,
                  "options": base_options.to_json(), "audio_sha256": rendition.sha256}

    transcript = _resumable(session, asset, resume_key)
    with archive.store.materialize(rendition.blob_key) as path:
        try:
            audio = load_audio(path)
        except TranscriptionError as exc:
            raise TranscriptionError(f"{label}: {exc}") from exc
    duration = len(audio) / 16000
    if transcript is None:
        if requested == "auto":
            detected, probability = transcriber.detect_language(audio)
        else:
            detected, probability = requested, None
        transcript = Transcript(
            asset_id=asset.id, model=transcriber.model.name, language=detected,
            language_probability=probability, duration=duration, complete=False, current=False,
            provenance={
                **transcriber.provenance(),
                "resume_key": resume_key,
                "decoding": base_options.to_json(),
                "initial_prompt": prompt,
                "hotwords": hotwords,
                "glossary_file": str(glossary) if glossary else None,
                "glossary": terms,
                "metadata": {"event": asset.event.name if asset.event else None,
                             "title": asset.title, "speakers": list(asset.speakers or [])},
                "audio": {"rendition_sha256": rendition.sha256, "duration": duration},
                "started": _now(), "runs": [],
            })
        session.add(transcript)
        session.flush()
    options = DecodingOptions(**{**base_options.to_json(), "language": transcript.language})
    offset = session.scalar(select(func.max(Segment.end)).where(
        Segment.transcript_id == transcript.id)) or 0.0
    # Each run is recorded as it goes, so a killed run's time and starting point count too.
    runs = [*transcript.provenance.get("runs", []), {"from": offset, "started": _now()}]
    _update_run(transcript, runs, began, 0)
    commit(transcript_id=transcript.id, seconds_done=offset, seconds_total=duration)
    rtf_now: list[float] = [0.0]

    def report(done: float, total: float, rtf: float) -> None:
        rtf_now[0] = rtf
        if progress is not None:
            progress(done, total, "s")

    segments, guard = transcriber.transcribe(audio, options, offset=offset, progress=report)
    stored = 0
    for segment in segments:
        if segment.start < offset - 0.01:  # never store a stretch twice after a resume
            continue
        row = Segment(transcript_id=transcript.id, start=segment.start, end=segment.end,
                      text=segment.text, confidence=round(segment.confidence, 4))
        row.words = [Word(start=w.start, end=w.end, word=w.word, probability=w.probability)
                     for w in segment.words]
        session.add(row)
        stored += 1
        _update_run(transcript, runs, began, stored)
        # Stored as produced: a killed run loses nothing that was already decoded.
        commit(transcript_id=transcript.id, seconds_done=segment.end, seconds_total=duration,
               rtf=round(rtf_now[0], 4))
    report_now = guard.report()
    runs[-1]["guard_counts"] = report_now["counts"]
    runs[-1]["finished"] = _now()
    _update_run(transcript, runs, began, stored)
    prov = dict(transcript.provenance)
    prov.update(guards=_merge_guards(prov.get("guards"), report_now), finished=_now())
    transcript.provenance = prov
    transcript.complete = True
    _make_current(session, asset, transcript)
    commit(transcript_id=transcript.id, seconds_done=duration, seconds_total=duration,
           rtf=prov["real_time_factor"])
    if progress is not None:
        progress(duration, duration, "s")
    return transcript


def _update_run(transcript: Transcript, runs: list[dict[str, Any]], began: float,
                stored: int) -> None:
    """Record the current run's time and segments, and the totals over all runs."""
    runs[-1].update(seconds=round(time.monotonic() - began, 2), segments=stored)
    total = round(sum(run.get("seconds", 0.0) for run in runs), 2)
    duration = transcript.duration or 0.0
    transcript.provenance = {
        **transcript.provenance, "runs": [dict(run) for run in runs],
        "processing_seconds": total,
        "real_time_factor": round(total / duration, 4) if duration else None,
    }


def _resumable(session: Session, asset: Asset, key: dict[str, Any]) -> Transcript | None:
    """An interrupted transcript made with the same model and options (others are dropped)."""
    pending = session.scalars(select(Transcript).where(
        Transcript.asset_id == asset.id, Transcript.complete.is_(False))).all()
    found = None
    for transcript in pending:
        if found is None and (transcript.provenance or {}).get("resume_key") == key:
            found = transcript
        else:
            session.execute(delete(Transcript).where(Transcript.id == transcript.id))
    return found


def _make_current(session: Session, asset: Asset, transcript: Transcript) -> None:
    for other in session.scalars(select(Transcript).where(Transcript.asset_id == asset.id)):
        other.current = other.id == transcript.id
    session.flush()


def _finish_empty(session: Session, asset: Asset, model: str, note: str) -> Transcript:
    transcript = Transcript(asset_id=asset.id, model=model, language=None, duration=0.0,
                            complete=True, provenance={"note": note, "finished": _now()})
    session.add(transcript)
    session.flush()
    _make_current(session, asset, transcript)
    return transcript


def _merge_guards(before: dict[str, Any] | None, now: dict[str, Any]) -> dict[str, Any]:
    counts = dict((before or {}).get("counts", {}))
    for name, count in now["counts"].items():
        counts[name] = counts.get(name, 0) + count
    dropped = [*(before or {}).get("dropped", []), *now["dropped"]]
    return {"options": now["options"], "counts": counts, "dropped": dropped}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
