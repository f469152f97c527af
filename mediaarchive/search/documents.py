"""What the index holds for an asset: one metadata document, its OCR texts, its speech.

Shared by every backend. Keys are stable and tell the source apart by range: speech =
``SPEECH_BASE`` + segments.id, OCR = ``OCR_BASE`` + ocr_texts.id, metadata =
``METADATA_BASE`` + assets.id. Metadata sorts last and speech first, so a backend that walks
matches from the highest key down meets the few metadata and OCR documents before the
many segments (newest first).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mediaarchive.db import Asset, Event, OcrText, Segment, Transcript, current_segment
from mediaarchive.db.models import asset_events
from mediaarchive.search.hits import IndexDocument
from mediaarchive.vocabulary import HitSource

#: The visibility whose assets anonymous visitors see.
PUBLIC = "public"

__all__ = [
    "METADATA_BASE",
    "OCR_BASE",
    "SPEECH_BASE",
    "AssetFacts",
    "BLANK",
    "asset_documents",
    "asset_facts",
    "current_transcripts",
    "iter_speech_documents",
    "metadata_document",
    "ocr_documents",
    "segment_documents",
    "segment_keys",
]

SPEECH_BASE = 1 << 40
OCR_BASE = 1 << 50
METADATA_BASE = 1 << 56


class AssetFacts:
    """What every document of an asset shares: its events, kind, language and visibility."""

    __slots__ = ("asset_id", "event_ids", "kind", "language", "public")

    def __init__(
        self,
        asset_id: int,
        event_ids: list[int],
        kind: str,
        language: str | None,
        public: bool = False,
    ):
        self.asset_id = asset_id
        self.event_ids = event_ids
        self.kind = kind
        self.language = language
        self.public = public

    @classmethod
    def of(cls, asset: Asset, events: list[Event]) -> AssetFacts:
        return cls(
            asset.id,
            [e.id for e in events],
            asset.kind,
            asset.language,
            asset.visibility == PUBLIC,
        )


def asset_facts(session: Session) -> dict[int, AssetFacts]:
    """Facts of every asset (for a full rebuild), in a few queries."""
    events: dict[int, list[int]] = {}
    for asset_id, event_id in session.execute(
        select(asset_events.c.asset_id, asset_events.c.event_id).order_by(asset_events.c.event_id)
    ):
        events.setdefault(asset_id, []).append(event_id)
    return {
        asset_id: AssetFacts(
            asset_id, events.get(asset_id, []), kind, language, visibility == PUBLIC
        )
        for asset_id, kind, language, visibility in session.execute(
            select(Asset.id, Asset.kind, Asset.language, Asset.visibility)
        )
    }


def metadata_document(asset: Asset, events: list[Event]) -> IndexDocument:
    """Title and speakers (the head), description, file name and events (the body)."""
    speakers = [str(s) for s in (asset.speakers or [])]
    head = " · ".join(part for part in [asset.title or "", ", ".join(speakers)] if part)
    body: list[str] = []
    for part in [asset.description, asset.filename]:
        # An asset ingested without a title shows its file name as title: once is enough
        # (a hit's text is its head and its body).
        if part and part != asset.title and part not in body:
            body.append(part)
    for event in events:
        body.append(event.name)
        if event.description:
            body.append(event.description)
    return IndexDocument(
        key=METADATA_BASE + asset.id,
        asset_id=asset.id,
        source=HitSource.METADATA,
        start=None,
        end=None,
        head=head,
        text="\n".join(part for part in body if part),
        event_ids=[event.id for event in events],
        kind=asset.kind,
        language=asset.language,
        public=asset.visibility == PUBLIC,
    )


def ocr_documents(session: Session, asset: Asset, facts: AssetFacts) -> list[IndexDocument]:
    rows = session.execute(
        select(OcrText.id, OcrText.source, OcrText.start, OcrText.end, OcrText.text)
        .where(OcrText.asset_id == asset.id)
        .order_by(OcrText.id)
    )
    return [
        IndexDocument(
            key=OCR_BASE + ocr_id,
            asset_id=asset.id,
            source=HitSource.SLIDE if source == HitSource.SLIDE else HitSource.IMAGE,
            start=start if source == HitSource.SLIDE else None,
            end=end if source == HitSource.SLIDE else None,
            head="",
            text=text,
            event_ids=facts.event_ids,
            kind=facts.kind,
            language=facts.language,
            public=facts.public,
        )
        for ocr_id, source, start, end, text in rows
        if text and text.strip()
    ]


def _current_transcripts():  # type: ignore[no-untyped-def]
    """Per asset, the newest transcript marked current."""
    return (
        select(Transcript.asset_id, func.max(Transcript.id).label("transcript_id"))
        .where(Transcript.current.is_(True))
        .group_by(Transcript.asset_id)
        .subquery()
    )


def current_transcripts(session: Session) -> list[tuple[int, int, str | None]]:
    """(transcript id, asset id, language) of each asset's newest current transcript: the
    one whose segments are indexed."""
    current = _current_transcripts()
    return [
        (transcript_id, asset_id, language)
        for transcript_id, asset_id, language in session.execute(
            select(current.c.transcript_id, current.c.asset_id, Transcript.language).join(
                Transcript, Transcript.id == current.c.transcript_id
            )
        )
    ]


#: A segment whose text is only these characters is not indexed (the rebuild's SQL ``trim``
#: strips the same, so both ways of indexing leave out the same segments).
BLANK = " \t\n\r\x0b\x0c"


def _speech_query(asset_id: int | None, segment_ids: Collection[int] | None) -> Select:  # type: ignore[type-arg]
    current = _current_transcripts()
    query = (
        select(
            Segment.id,
            Segment.start,
            Segment.end,
            Segment.text,
            current.c.asset_id,
            Transcript.language,
        )
        .join(current, current.c.transcript_id == Segment.transcript_id)
        .join(Transcript, Transcript.id == Segment.transcript_id)
        .where(current_segment())
        .order_by(Segment.id)
    )
    if asset_id is not None:
        query = query.where(current.c.asset_id == asset_id)
    if segment_ids is not None:
        query = query.where(Segment.id.in_(list(segment_ids)))
    return query


def iter_speech_documents(
    session: Session,
    facts: dict[int, AssetFacts],
    asset_id: int | None = None,
    segment_ids: Collection[int] | None = None,
) -> Iterator[IndexDocument]:
    """Segments of current transcripts (of one asset, or all) as documents, streamed in id
    order, those without text left out.

    ``segment_ids`` limits them to these segments (those of a transcript that is not
    current are left out).
    """
    query = _speech_query(asset_id, segment_ids).execution_options(yield_per=10_000)
    for segment_id, start, end, text, owner, language in session.execute(query):
        if not text or not text.strip(BLANK):
            continue
        fact = facts.get(owner)
        if fact is None:
            continue
        yield IndexDocument(
            key=SPEECH_BASE + segment_id,
            asset_id=fact.asset_id,
            source=HitSource.SPEECH,
            start=start,
            end=end,
            head="",
            text=text,
            event_ids=fact.event_ids,
            kind=fact.kind,
            language=language or fact.language,
            public=fact.public,
        )


def _asset_events(session: Session, asset: Asset) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .join(asset_events, asset_events.c.event_id == Event.id)
            .where(asset_events.c.asset_id == asset.id)
            .order_by(Event.id)
        )
    )


def asset_documents(session: Session, asset: Asset) -> list[IndexDocument]:
    """Every document of one asset, read fresh from the database."""
    session.flush()
    events = _asset_events(session, asset)
    facts = AssetFacts.of(asset, events)
    documents = [metadata_document(asset, events)]
    documents += ocr_documents(session, asset, facts)
    documents += iter_speech_documents(session, {asset.id: facts}, asset.id)
    return documents


def segment_documents(
    session: Session, asset: Asset, segment_ids: Collection[int]
) -> list[IndexDocument]:
    """The documents of these segments of the asset's current transcript, read fresh."""
    session.flush()
    events = _asset_events(session, asset)
    facts = AssetFacts.of(asset, events)
    return list(iter_speech_documents(session, {asset.id: facts}, asset.id, segment_ids))


def segment_keys(segment_ids: Iterable[int]) -> list[int]:
    """The index keys of these segments' documents."""
    return [SPEECH_BASE + segment_id for segment_id in segment_ids]
