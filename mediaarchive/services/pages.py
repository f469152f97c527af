"""What the web's pages show of the archive besides the contract's views: an asset's page
(its renditions, transcript lines and read texts) and the speakers a filter suggests."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mediaarchive.db import Asset, OcrText, Segment, Transcript, Word
from mediaarchive.services.views import AssetSummary, lookup_asset
from mediaarchive.vocabulary import HitSource

__all__ = [
    "AssetPage",
    "RenditionRef",
    "SlideText",
    "TextLine",
    "asset_page",
    "fold_word",
    "known_speakers",
    "transcript_lines",
]


def known_speakers(session: Session) -> list[str]:
    """Every speaker named on some asset, sorted (for a filter's suggestions)."""
    names: set[str] = set()
    for speakers in session.scalars(select(Asset.speakers)):
        names.update(str(name) for name in speakers or [])
    return sorted(names, key=str.casefold)


@dataclass(frozen=True)
class RenditionRef:
    """A derived file of an asset: which one, and what it is."""

    kind: str
    label: str
    mime: str | None
    size: int


@dataclass(frozen=True)
class TextLine:
    """A line of a transcript, or a text read from an image, with its time."""

    start: float | None
    end: float | None
    text: str
    #: The segment version shown (transcript lines only): an edit sends it back.
    id: int | None = None
    #: Words of the line heard with a probability below the low-confidence threshold
    #: (folded: lower case, without punctuation).
    low_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlideText:
    """The text read from a slide of a video, with the label of the slide's picture."""

    start: float | None
    end: float | None
    text: str
    #: Label of the ``slide`` rendition it was read from (None: the picture is not kept).
    label: str | None


@dataclass(frozen=True)
class AssetPage:
    """Everything the asset page shows: the asset, its renditions, transcript and texts."""

    asset: AssetSummary
    renditions: list[RenditionRef]
    #: The current transcript's segments (empty without one).
    segments: list[TextLine]
    #: Text read from the image itself (not from slides).
    image_texts: list[TextLine]
    slides: list[SlideText]
    #: The current transcript's language (the subtitle track's), None without one.
    transcript_language: str | None = None
    #: The asset's own language metadata (``edit --language``), None when not given.
    language: str | None = None

    def rendition(self, kind: str, label: str = "") -> RenditionRef | None:
        """The asset's rendition of this kind and label, if it has one."""
        return next((r for r in self.renditions if r.kind == kind and r.label == label), None)


@functools.lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """A word as low-confidence marks compare it: lower case, without punctuation
    (remembered: talk vocabulary repeats)."""
    return "".join(c for c in word.casefold() if c.isalnum())


def transcript_lines(session: Session, transcript_id: int, threshold: float) -> list[TextLine]:
    """The current lines of a transcript with their low-confidence words: two plain queries
    (columns, not ORM objects: a two-hour talk has some 20,000 words)."""
    current = (Segment.transcript_id == transcript_id) & Segment.superseded_in.is_(None)
    low: dict[int, set[str]] = {}
    for segment_id, word in session.execute(
        select(Word.segment_id, Word.word)
        .join(Segment, Segment.id == Word.segment_id)
        .where(current, Word.probability < threshold)
    ):
        low.setdefault(segment_id, set()).add(fold_word(word))
    rows = session.execute(
        select(Segment.id, Segment.start, Segment.end, Segment.text)
        .where(current)
        .order_by(Segment.start, Segment.id)
    )
    return [
        TextLine(start, end, text, segment_id, tuple(sorted(low.get(segment_id, ()))))
        for segment_id, start, end, text in rows
    ]


def asset_page(session: Session, asset_id: str, *, threshold: float = 0.8) -> AssetPage:
    """What the asset page shows of the asset with this id.

    Raises:
        NotFoundError, AmbiguousIdError, UserError: for an id that names no single asset.
    """
    asset = lookup_asset(session, asset_id)
    # Only the current transcript's id and language: its lines are read as plain rows.
    transcript = session.execute(
        select(Transcript.id, Transcript.language)
        .where(Transcript.asset_id == asset.id, Transcript.current.is_(True))
        .order_by(Transcript.id.desc())
        .limit(1)
    ).first()
    ocr_texts = session.scalars(
        select(OcrText).where(OcrText.asset_id == asset.id).order_by(OcrText.start, OcrText.id)
    )
    slide_labels = {r.id: r.label for r in asset.renditions if r.kind == "slide"}
    image_texts: list[TextLine] = []
    slides: list[SlideText] = []
    for text in ocr_texts:
        if text.source == HitSource.SLIDE:
            slides.append(
                SlideText(
                    text.start, text.end, text.text, slide_labels.get(text.rendition_id or -1)
                )
            )
        else:
            image_texts.append(TextLine(text.start, text.end, text.text))
    return AssetPage(
        asset=AssetSummary.of(asset),
        renditions=[RenditionRef(r.kind, r.label, r.mime, r.size) for r in asset.renditions],
        segments=transcript_lines(session, transcript.id, threshold)
        if transcript is not None
        else [],
        image_texts=image_texts,
        slides=slides,
        transcript_language=transcript.language if transcript is not None else None,
        language=asset.language,
    )
