"""What a finished transcription is checked for before it may become current: speech heard
but nothing recognised (an empty "done" would hide it), how much of the heard speech the
words cover, and the share of low-confidence words the review list sorts by."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mediaarchive.db import Segment, Transcript, Word

__all__ = [
    "clock",
    "confidence_summary",
    "coverage_warning",
    "empty_failure",
    "language_warning",
    "merge_coverage",
]

#: Heard speech at least this long with no word recognised fails the step.
MIN_LOST_SPEECH_SECONDS = 1.0
#: Below this share of heard speech covered, ``transcribe`` warns.
WARN_COVERED_SHARE = 0.5


def clock(seconds: float) -> str:
    """0:15, 1:02:03."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def merge_coverage(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One coverage record over the runs of a (resumed) transcription."""
    speech = sum(r["speech_seconds"] for r in runs)
    covered = sum(r["covered_seconds"] for r in runs)
    firsts = [r["first_speech"] for r in runs if r.get("first_speech") is not None]
    lasts = [r["last_speech"] for r in runs if r.get("last_speech") is not None]
    return {
        "speech_seconds": round(speech, 2),
        "covered_seconds": round(covered, 2),
        "covered_share": round(min(1.0, covered / speech), 3) if speech > 0 else None,
        "first_speech": min(firsts) if firsts else None,
        "last_speech": max(lasts) if lasts else None,
        "retried": [item for r in runs for item in r.get("retried", [])],
        "uncovered": [item for r in runs for item in r.get("uncovered", [])],
    }


def confidence_summary(session: Session, transcript: Transcript, threshold: float) -> dict:
    """``low_confidence_share``: the share of the transcript's words whose probability is
    below ``threshold`` (None without words), with the threshold and the word count."""
    session.flush()
    words = select(Word.probability).join(Segment).where(Segment.transcript_id == transcript.id)
    total = session.scalar(select(func.count()).select_from(words.subquery())) or 0
    low = (
        session.scalar(
            select(func.count()).select_from(words.where(Word.probability < threshold).subquery())
        )
        or 0
    )
    return {
        "low_confidence_threshold": threshold,
        "low_confidence_share": round(low / total, 4) if total else None,
        "words": total,
    }


def empty_failure(session: Session, transcript: Transcript) -> str | None:
    """The failure message when speech was heard but no segment recognised, else None."""
    coverage = (transcript.provenance or {}).get("coverage") or {}
    if coverage.get("speech_seconds", 0.0) < MIN_LOST_SPEECH_SECONDS:
        return None
    session.flush()
    count = session.scalar(
        select(func.count(Segment.id)).where(Segment.transcript_id == transcript.id)
    )
    if count:
        return None
    return (
        f"speech heard at {clock(coverage['first_speech'])}–{clock(coverage['last_speech'])} "
        "but nothing recognised; try --language auto or another model"
    )


def coverage_warning(provenance: dict[str, Any]) -> str | None:
    """A warning when less than half of the heard speech is covered by words."""
    coverage = provenance.get("coverage") or {}
    share = coverage.get("covered_share")
    if share is None or share >= WARN_COVERED_SHARE:
        return None
    lost = [f"{clock(a)}–{clock(b)}" for a, b in coverage.get("uncovered", [])[:5]]
    return (
        f"only {share:.0%} of the {coverage['speech_seconds']:.0f} s of speech heard was "
        "recognised"
        + (f" (nothing at {', '.join(lost)})" if lost else "")
        + "; try --language auto or another model"
    )


#: A forced language is questioned when detection gives another this surely.
STRONG_LANGUAGE_EVIDENCE = 0.8


def language_warning(provenance: dict[str, Any], language: str | None) -> str | None:
    """A warning when the transcript's (given) language is not what the audio sounds like."""
    detection = provenance.get("language_detection") or {}
    means = detection.get("means") or {}
    if not language or not means:
        return None
    best = max(means, key=lambda code: means[code])
    if best == language or means[best] < STRONG_LANGUAGE_EVIDENCE:
        return None
    return (
        f"transcribed as {language!r} but the speech sounds like {best!r} "
        f"({means[best]:.0%} sure); try --language auto or --language {best}"
    )
