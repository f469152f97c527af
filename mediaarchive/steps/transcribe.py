"""Step "transcribe": the asset's speech audio becomes a transcript with segments and words.

Segments are committed as they are produced. A run that was killed leaves an incomplete
transcript; the next run with the same model and options continues after its last stored
segment (no gap, no duplicate). A finished transcript becomes the current one
(``steps.sync.make_transcript_current``: re-indexed, subtitles re-rendered); older
transcripts are kept. Only video and audio assets are transcribed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

# The ASR stack (numpy, the transcriber) loads on first use of ``asr``: in an ingest that
# is the model's warm-up thread, beside the transcode step (``load_model``).
from mediaarchive import asr, profiling
from mediaarchive.archive import Archive
from mediaarchive.db import Asset, Segment, Transcript, Word
from mediaarchive.errors import TranscriptionError, UserError
from mediaarchive.steps.base import StepContext, step
from mediaarchive.steps.sync import make_transcript_current
from mediaarchive.steps.transcribe_checks import (
    confidence_summary,
    coverage_warning,
    empty_failure,
    language_warning,
    merge_coverage,
)
from mediaarchive.vocabulary import AssetKind

PARAMS: dict[str, Any] = {"model": None, "language": None, "glossary": None}
#: The kinds that carry speech (an image's text is read by the "ocr" step instead).
KINDS: tuple[str, ...] = (AssetKind.VIDEO.value, AssetKind.AUDIO.value)
#: Called with (seconds of audio done, seconds in all, unit).
Progress = Callable[[float, float, str], None]


def load_model(archive: Archive, params: dict[str, Any], threads: int) -> None:
    """Load the model the step will use (``StepSpec.warm``): ``get_transcriber`` keeps it
    for the process, so the step finds it loaded (1-2 s of a short talk's ingest, spent
    while ffmpeg makes its audio)."""
    asr.get_transcriber(archive.settings, params.get("model"), threads=threads)


@step(
    "transcribe",
    kinds=KINDS,
    params=PARAMS,
    description="Speech to text with faster-whisper (segments and words with times); the "
    "language from the metadata, else detected with German as the prior.",
    queue="asr",
    warm=load_model,
    holds_cores=True,  # each model call holds its worker's threads (``asr.merging``)
)
def transcribe(ctx: StepContext) -> None:
    glossary = ctx.params.get("glossary")
    transcribe_into(
        ctx.archive,
        ctx.session,
        ctx.asset,
        model=ctx.params.get("model"),
        language=ctx.params.get("language"),
        glossary=Path(glossary) if glossary else None,
        threads=ctx.threads,
        progress=ctx.progress,
        checkpoint=lambda **state: ctx.checkpoint(**state),
        workdir=ctx.workdir,
    )


def check_transcribable(asset: Asset) -> None:
    """Refuse an asset that has no speech to transcribe, before anything is written.

    Raises:
        UserError: the asset is not video or audio.
    """
    if asset.kind in KINDS:
        return
    name = asset.filename or asset.title
    raise UserError(
        f"asset {asset.short_id}{f' ({name})' if name else ''} is {_article(asset.kind)} "
        f"{asset.kind}: only video and audio have speech to transcribe"
        + (
            " (the text on an image is read by its ocr step: find it with 'mediaarchive search')"
            if asset.kind == AssetKind.IMAGE
            else ""
        )
    )


def transcribe_into(
    archive: Archive,
    session: Session,
    asset: Asset,
    *,
    model: str | None,
    language: str | None,
    glossary: Path | None,
    threads: int,
    progress: Progress | None = None,
    checkpoint: Callable[..., None] | None = None,
    workdir: Path | None = None,
) -> Transcript:
    """Transcribe ``asset``'s speech audio into a Transcript (resuming an interrupted one)
    and make it current.

    Raises:
        UserError: the asset is not video or audio (nothing is written).
        TranscriptionError: it has no speech audio yet, or the model fails.
    """
    settings = archive.settings
    began = time.monotonic()
    commit = checkpoint or (lambda **_: session.commit())
    label = f"asset {asset.short_id}"
    check_transcribable(asset)
    rendition = next((r for r in asset.renditions if r.kind == "speech_audio"), None)
    if rendition is None:
        if (asset.probe or {}).get("has_audio") is False:
            empty = _finish_empty(
                archive,
                session,
                asset,
                settings.model if model is None else model,
                "the asset has no audio stream: nothing was said",
                workdir,
            )
            commit(transcript_id=empty.id, seconds_done=0.0, seconds_total=0.0)
            return empty
        raise TranscriptionError(
            f"{label} has no speech audio yet: run its transcode step first "
            f"('mediaarchive run', or 'mediaarchive retry {asset.short_id}')"
        )

    with profiling.phase("load model"):
        transcriber = asr.get_transcriber(settings, model, threads=threads)
    requested = (language or asset.language or settings.language or "auto").lower()
    terms = asr.read_glossary(glossary) if glossary else []
    prompt, hotwords = asr.build_prompt(
        event=asset.event.name if asset.event else None,
        title=asset.title,
        speakers=list(asset.speakers or []),
        glossary=terms,
    )
    base_options = asr.DecodingOptions(
        language=None if requested == "auto" else requested,
        beam_size=settings.asr_beam_size,
        batch_size=settings.asr_batch_size,
        initial_prompt=prompt,
        hotwords=hotwords,
    )
    resume_key = {
        "model_sha256": transcriber.model.sha256,
        "requested_language": requested,
        "options": base_options.to_json(),
        "audio_sha256": rendition.sha256,
    }

    transcript = _resumable(session, asset, resume_key)
    with (
        profiling.phase("read audio"),
        archive.store.materialize(rendition.blob_key, check=True) as path,
    ):
        try:
            audio = asr.load_audio(path, windowed=True)
        except TranscriptionError as exc:
            raise TranscriptionError(f"{label}: {exc}") from exc
    duration = len(audio) / 16000
    if transcript is None:
        # Detected also when the language is given, so a forced language that the audio
        # contradicts is recorded (and warned about) instead of silently translated.
        with profiling.phase("detect language"):
            decision = transcriber.detect_language(
                audio,
                prior=settings.language_prior,
                min_probability=settings.language_min_probability,
            )
        detection = decision.to_json()
        if requested == "auto":
            detected, probability = decision.language, decision.probability
        else:
            detected, probability = requested, None
        transcript = Transcript(
            asset_id=asset.id,
            model=transcriber.model.name,
            language=detected,
            language_probability=probability,
            duration=duration,
            complete=False,
            current=False,
            provenance={
                **transcriber.provenance(),
                "resume_key": resume_key,
                "decoding": base_options.to_json(),
                "initial_prompt": prompt,
                "hotwords": hotwords,
                "glossary_file": str(glossary) if glossary else None,
                "glossary": terms,
                "metadata": {
                    "event": asset.event.name if asset.event else None,
                    "title": asset.title,
                    "speakers": list(asset.speakers or []),
                },
                "audio": {"rendition_sha256": rendition.sha256, "duration": duration},
                "language_detection": detection,
                "language_source": (
                    "option"
                    if language and language.lower() != "auto"
                    else "metadata"
                    if not language and asset.language
                    else "detected"
                    if requested == "auto"
                    else "setting"
                ),
                "started": _now(),
                "runs": [],
            },
        )
        session.add(transcript)
        session.flush()
    options = asr.DecodingOptions(**{**base_options.to_json(), "language": transcript.language})
    offset = (
        session.scalar(select(func.max(Segment.end)).where(Segment.transcript_id == transcript.id))
        or 0.0
    )
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
    for segment in profiling.timed(segments, "decode"):
        if segment.start < offset - 0.01:  # never store a stretch twice after a resume
            continue
        row = Segment(
            transcript_id=transcript.id,
            start=segment.start,
            end=segment.end,
            text=segment.text,
            confidence=round(segment.confidence, 4),
        )
        row.words = [
            Word(start=w.start, end=w.end, word=w.word, probability=w.probability)
            for w in segment.words
        ]
        session.add(row)
        stored += 1
        _update_run(transcript, runs, began, stored)
        # Stored as produced: a killed run loses nothing that was already decoded.
        with profiling.phase("DB writes"):
            commit(
                transcript_id=transcript.id,
                seconds_done=segment.end,
                seconds_total=duration,
                rtf=round(rtf_now[0], 4),
            )
    report_now = guard.report()
    runs[-1]["guard_counts"] = report_now["counts"]
    runs[-1]["coverage"] = guard.coverage.to_json()
    runs[-1]["finished"] = _now()
    _update_run(transcript, runs, began, stored)
    prov = dict(transcript.provenance)
    prov.update(
        guards=_merge_guards(prov.get("guards"), report_now),
        coverage=merge_coverage([run["coverage"] for run in runs if run.get("coverage")]),
        **confidence_summary(session, transcript, settings.low_confidence_threshold),
        finished=_now(),
    )
    prov["warnings"] = [
        w
        for w in (coverage_warning(prov), language_warning(prov, transcript.language))
        if w is not None
    ]
    transcript.provenance = prov
    transcript.complete = True
    failure = empty_failure(session, transcript)
    if failure is not None:
        # Kept for the record (and for review), but never the current transcript.
        transcript.provenance = {**prov, "empty": failure}
        commit(transcript_id=transcript.id, seconds_done=duration, seconds_total=duration)
        raise TranscriptionError(f"{label}: {failure}")
    if not prov.get("words"):
        transcript.provenance = {**prov, "note": _empty_note(duration, prov["coverage"])}
    with profiling.phase("index and subtitles"):
        make_transcript_current(archive, session, asset, transcript, workdir=workdir)
    commit(
        transcript_id=transcript.id,
        seconds_done=duration,
        seconds_total=duration,
        rtf=prov["real_time_factor"],
    )
    if progress is not None:
        progress(duration, duration, "s")
    return transcript


def _update_run(
    transcript: Transcript, runs: list[dict[str, Any]], began: float, stored: int
) -> None:
    """Record the current run's time and segments, and the totals over all runs."""
    runs[-1].update(seconds=round(time.monotonic() - began, 2), segments=stored)
    total = round(sum(run.get("seconds", 0.0) for run in runs), 2)
    duration = transcript.duration or 0.0
    transcript.provenance = {
        **transcript.provenance,
        "runs": [dict(run) for run in runs],
        "processing_seconds": total,
        "real_time_factor": round(total / duration, 4) if duration else None,
    }


def _resumable(session: Session, asset: Asset, key: dict[str, Any]) -> Transcript | None:
    """An interrupted transcript made with the same model and options (others are dropped)."""
    pending = session.scalars(
        select(Transcript).where(Transcript.asset_id == asset.id, Transcript.complete.is_(False))
    ).all()
    found = None
    for transcript in pending:
        if found is None and (transcript.provenance or {}).get("resume_key") == key:
            found = transcript
        else:
            session.execute(delete(Transcript).where(Transcript.id == transcript.id))
    return found


def _finish_empty(
    archive: Archive, session: Session, asset: Asset, model: str, note: str, workdir: Path | None
) -> Transcript:
    transcript = Transcript(
        asset_id=asset.id,
        model=model,
        language=None,
        duration=0.0,
        complete=True,
        provenance={"note": note, "finished": _now()},
    )
    session.add(transcript)
    session.flush()
    make_transcript_current(archive, session, asset, transcript, workdir=workdir)
    return transcript


def _empty_note(duration: float, coverage: dict[str, Any]) -> str:
    """What happened when a transcript has no words (and that is no failure)."""
    if duration < asr.MIN_AUDIO_SECONDS:
        return f"the audio is only {duration:.1f} s long: too short to recognise speech"
    if not coverage["speech_seconds"]:
        return "no speech heard"
    return "speech heard but too short to recognise"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _merge_guards(before: dict[str, Any] | None, now: dict[str, Any]) -> dict[str, Any]:
    counts = dict((before or {}).get("counts", {}))
    for name, count in now["counts"].items():
        counts[name] = counts.get(name, 0) + count
    dropped = [*(before or {}).get("dropped", []), *now["dropped"]]
    return {"options": now["options"], "counts": counts, "dropped": dropped}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
