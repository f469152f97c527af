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
    and_,
    or_,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement, Select

from mediaarchive.db.plain import short_id


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
    #: ``public`` (anyone may see it) or ``internal`` (accounts only).
    visibility: Mapped[str] = mapped_column(String(20), default="internal")
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
    #: ``public`` (anyone may see it) or ``internal`` (accounts only).
    visibility: Mapped[str] = mapped_column(String(20), default="internal")
    #: Set while the asset is withdrawn (``withdraw``): hidden everywhere, bytes kept.
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
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
        return short_id(self.sha256)

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
    #: The revision the transcript reads as now (1: as made; each correction adds one).
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: Review state (``vocabulary.ReviewState``): machine, in-review, approved.
    review: Mapped[str] = mapped_column(String(20), default="machine", server_default="machine")

    asset: Mapped[Asset] = relationship(back_populates="transcripts")
    #: The segments of the current revision: every reader (search, subtitles, export, web,
    #: show) sees only these; older versions stay in ``segment_versions``.
    segments: Mapped[list[Segment]] = relationship(
        primaryjoin="and_(Transcript.id == foreign(Segment.transcript_id), "
        "Segment.superseded_in.is_(None))",
        cascade="all, delete-orphan",
        order_by="(Segment.start, Segment.id)",
        overlaps="segment_versions",
    )
    #: Every version of every segment, superseded ones included.
    segment_versions: Mapped[list[Segment]] = relationship(
        viewonly=True, order_by="(Segment.start, Segment.id)"
    )
    revisions: Mapped[list[TranscriptRevision]] = relationship(
        back_populates="transcript",
        cascade="all, delete-orphan",
        order_by="TranscriptRevision.number",
    )


class TranscriptRevision(Base):
    """One revision of a transcript: 1 is the transcript as made, each correction adds one.

    A revision's text is the set of segment rows valid at its number: those with
    ``revision <= number`` and ``superseded_in`` null or greater than it.
    """

    __tablename__ = "transcript_revisions"
    __table_args__ = (UniqueConstraint("transcript_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    parent: Mapped[int | None] = mapped_column(Integer)
    #: Who made it (``--by``, the OS user, a web account; the model for revision 1).
    author: Mapped[str | None] = mapped_column(String(200))
    #: asr, import, edit, replace, revert.
    action: Mapped[str] = mapped_column(String(20), default="edit")
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    transcript: Mapped[Transcript] = relationship(back_populates="revisions")


class Segment(Base):
    """One version of a stretch of speech with its text and times (seconds).

    A correction never changes a row: it marks the row superseded and adds a new one, so a
    saved line costs one row and its words, and every revision can be read again.
    """

    __tablename__ = "segments"
    __table_args__ = (
        Index("ix_segments_transcript_start", "transcript_id", "start"),
        Index("ix_segments_transcript_superseded", "transcript_id", "superseded_in"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    #: The transcript revision that introduced this version.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: The revision that replaced (or removed) it; null while it is current.
    superseded_in: Mapped[int | None] = mapped_column(Integer)

    transcript: Mapped[Transcript] = relationship(viewonly=True)
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


class AuditRecord(Base):
    """One change made by a person: who, when, what, old and new value.

    The asset's and event's names are kept as text too, so the record outlives a rename
    or a deletion.
    """

    __tablename__ = "audit_records"
    __table_args__ = (
        Index("ix_audit_asset", "asset_id"),
        Index("ix_audit_event", "event_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by: Mapped[str | None] = mapped_column(String(200))
    #: edit, event-rename, event-merge, reingest, transcript-edit, review… (``AuditAction``).
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(100))
    old: Mapped[Any] = mapped_column(JSON, nullable=True)
    new: Mapped[Any] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    asset_sha256: Mapped[str | None] = mapped_column(String(64))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    event_name: Mapped[str | None] = mapped_column(String(500))
    transcript_id: Mapped[int | None] = mapped_column(Integer)


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


# --- Which segment rows a revision reads: the one rule every reader uses ---------------------


def current_segment() -> ColumnElement[bool]:
    """Segment rows of their transcript's current revision (not superseded)."""
    return Segment.superseded_in.is_(None)


def segment_at(number: int) -> ColumnElement[bool]:
    """Segment rows valid at revision ``number`` of their transcript."""
    return and_(
        Segment.revision <= number,
        or_(Segment.superseded_in.is_(None), Segment.superseded_in > number),
    )


def current_segments(transcript_id: int) -> Select[tuple[Segment]]:
    """The query for a transcript's current segments, in time order."""
    return (
        select(Segment)
        .where(Segment.transcript_id == transcript_id, current_segment())
        .order_by(Segment.start, Segment.id)
    )


class User(Base):
    """An account of the web page: a name, a role and an Argon2 password hash.

    ``token_hash`` is the sha256 of the API token (``users token``), never the token.
    ``failures`` and ``locked_until`` slow down password guessing (see services.accounts).
    """

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class WebSession(Base):
    """A logged-in browser: the cookie holds a random id, the table its sha256."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginFailure(Base):
    """Failed log-ins from one address (not kept for loopback addresses)."""

    __tablename__ = "login_failures"
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Tombstone(Base):
    """What is left of a purged asset: its sha256 and size, why, who and when.

    ``verify`` does not report its missing bytes as damage, and an ``ingest`` of the same
    bytes is refused (unless ``--force``).
    """

    __tablename__ = "tombstones"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExportRecord(Base):
    """An export written (a bag): where to, and which assets it held (their sha256s), so a
    purge can name the copies outside the archive."""

    __tablename__ = "exports"
    id: Mapped[int] = mapped_column(primary_key=True)
    destination: Mapped[str] = mapped_column(Text)
    event: Mapped[str] = mapped_column(String(500))
    assets: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ArchiveInfo(Base):
    """Facts of the archive itself: ``id``, a random id made with the schema (backups are
    marked with it, so one archive's backup is never mixed into another's)."""

    __tablename__ = "archive_info"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
