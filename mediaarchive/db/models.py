"""SQLAlchemy 2 models: the archive's tables.

Schema changes go through Alembic migrations in ``mediaarchive/db/migrations``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


asset_events = Table(
    "asset_events",
    Base.metadata,
    Column("asset_id", ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
)


class Event(Base):
    """An event (a Labcamp, a lecture series session); assets can belong to several."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500), unique=True)
    date: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    #: Where the event came from (a Notion page export, a manifest).
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assets: Mapped[list[Asset]] = relationship(secondary=asset_events, back_populates="events")
    page_links: Mapped[list[PageLink]] = relationship(back_populates="event")


class Asset(Base):
    """One archived original, identified by the sha256 of its bytes."""

    __tablename__ = "assets"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="other")
    #: Store key of the original (``sha256/ab/cd/<sha256>``).
    blob_key: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(500))
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    speakers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(20))
    date: Mapped[str | None] = mapped_column(String(40))
    #: Everything else known (unknown manifest columns, page context).
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: ffprobe summary (duration, container, streams, bitrate).
    probe: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Pipeline name or file chosen at ingest (None: by kind).
    pipeline: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20), default="queued")
    #: None while the original is sound; "corrupt" or "missing" once a read or ``verify``
    #: found it so (cleared by ``repair`` or by ingesting the same bytes again).
    damaged: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    events: Mapped[list[Event]] = relationship(
        secondary=asset_events, back_populates="assets", order_by="Event.id"
    )
    sources: Mapped[list[SourceLink]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="SourceLink.id"
    )
    jobs: Mapped[list[Job]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="Job.position"
    )
    renditions: Mapped[list[Rendition]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="Rendition.id"
    )
    transcripts: Mapped[list[Transcript]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="Transcript.id"
    )
    ocr_texts: Mapped[list[OcrText]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="OcrText.id"
    )

    @property
    def short_id(self) -> str:
        """The id users see: the first 12 hex digits of the sha256."""
        return self.sha256[:12]

    @property
    def event(self) -> Event | None:
        """The first event the asset was ingested under."""
        return self.events[0] if self.events else None

    @property
    def current_transcript(self) -> Transcript | None:
        for transcript in reversed(self.transcripts):
            if transcript.current:
                return transcript
        return None


class SourceLink(Base):
    """A link an asset was fetched from (the same bytes may have several)."""

    __tablename__ = "source_links"
    __table_args__ = (UniqueConstraint("asset_id", "url"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    #: s3, presigned, http, local.
    scheme: Mapped[str] = mapped_column(String(20))
    #: The page or manifest that named the link, with its context.
    page: Mapped[str | None] = mapped_column(Text)
    heading: Mapped[str | None] = mapped_column(Text)
    context: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(200))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    asset: Mapped[Asset] = relationship(back_populates="sources")


class Source(Base):
    """One link to fetch, recorded as pending before its download starts, so an interrupted
    fetch is resumed by ``run`` and a failed one retried by ``retry``. ``request`` holds what
    the ingest knew about it (location, title, speakers, page...) to fetch it again."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("url", "event"), Index("ix_sources_state", "state"))
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    #: The event named for it ('' when none: a unique key needs a value).
    event: Mapped[str] = mapped_column(String(500), default="")
    #: pending, done, failed (``vocabulary.SourceState``).
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pipeline: Mapped[str | None] = mapped_column(Text)
    #: The process fetching it (``p<pid>s<start>``): a pending source whose owner still runs
    #: is not fetched again by ``run``.
    owner: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    asset: Mapped[Asset | None] = relationship()


class PageLink(Base):
    """A non-asset link on an event page (a homepage): kept, not fetched."""

    __tablename__ = "page_links"
    __table_args__ = (UniqueConstraint("event_id", "url"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    heading: Mapped[str | None] = mapped_column(Text)
    context: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event] = relationship(back_populates="page_links")


class Job(Base):
    """One step of one asset's pipeline, with its state and history."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("asset_id", "step"),
        Index("ix_jobs_state", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float | None] = mapped_column(Float)
    #: Who ran it last: "local:<pid>" or a Celery worker's hostname.
    worker: Mapped[str | None] = mapped_column(String(200))
    #: Step-defined progress (e.g. seconds of audio done), for resuming and status.
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    asset: Mapped[Asset] = relationship(back_populates="jobs")


class FixityEvent(Base):
    """One check of a stored blob against its sha256."""

    __tablename__ = "fixity_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    blob_key: Mapped[str] = mapped_column(String(200))
    #: ok, missing, corrupt.
    outcome: Mapped[str] = mapped_column(String(20))
    expected_sha256: Mapped[str] = mapped_column(String(64))
    actual_sha256: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Rendition(Base):
    """A derived file (speech audio, proxy, poster, thumbnail, subtitles, slide frame)."""

    __tablename__ = "renditions"
    __table_args__ = (UniqueConstraint("asset_id", "kind", "label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    #: speech_audio, proxy, poster, thumbnail, subtitles, slide, ...
    kind: Mapped[str] = mapped_column(String(50))
    #: Tells apart several renditions of one kind ("vtt", "srt", "slide-0003"); "" if one.
    label: Mapped[str] = mapped_column(String(100), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: None while sound; "corrupt" or "missing" (cleared when the step makes it again).
    damaged: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    asset: Mapped[Asset] = relationship(back_populates="renditions")


class Transcript(Base):
    """One transcription (or imported subtitle file) of an asset, with its provenance."""

    __tablename__ = "transcripts"
    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    #: Model name ("base", a path) or "import:<filename>" for human subtitles.
    model: Mapped[str] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(20))
    language_probability: Mapped[float | None] = mapped_column(Float)
    #: Model hash, compute type, library versions, every decoding option, prompt, timings.
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    duration: Mapped[float | None] = mapped_column(Float)
    #: False while a transcription is still producing segments (resumable).
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    current: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    asset: Mapped[Asset] = relationship(back_populates="transcripts")
    segments: Mapped[list[Segment]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan", order_by="Segment.start"
    )


class Segment(Base):
    """A stretch of speech with its text and times (seconds)."""

    __tablename__ = "segments"
    __table_args__ = (Index("ix_segments_transcript_start", "transcript_id", "start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)

    transcript: Mapped[Transcript] = relationship(back_populates="segments")
    words: Mapped[list[Word]] = relationship(
        back_populates="segment", cascade="all, delete-orphan", order_by="Word.start"
    )


class Word(Base):
    """One recognised word with its times and probability."""

    __tablename__ = "words"
    __table_args__ = (Index("ix_words_segment", "segment_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    word: Mapped[str] = mapped_column(String(500))
    probability: Mapped[float | None] = mapped_column(Float)

    segment: Mapped[Segment] = relationship(back_populates="words")


class OcrText(Base):
    """Text read from an image or from a slide inside a video."""

    __tablename__ = "ocr_texts"
    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    #: image (a still) or slide (a frame range of a video).
    source: Mapped[str] = mapped_column(String(20))
    start: Mapped[float | None] = mapped_column(Float)
    end: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    #: [{text, left, top, width, height, confidence}]
    words: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: How the text was read: engine and version, languages, pre-processing, scale, frame time.
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rendition_id: Mapped[int | None] = mapped_column(
        ForeignKey("renditions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    asset: Mapped[Asset] = relationship(back_populates="ocr_texts")
