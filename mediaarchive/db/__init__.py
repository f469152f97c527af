"""Database access: engine, sessions, migrations, and retrying a write while it is busy."""

from mediaarchive.db.models import (
    Asset,
    AuditRecord,
    Base,
    Event,
    FixityEvent,
    Job,
    OcrText,
    PageLink,
    Rendition,
    Segment,
    Source,
    SourceLink,
    Transcript,
    TranscriptRevision,
    Word,
    current_segment,
    current_segments,
    segment_at,
)
from mediaarchive.db.retry import is_locked, retry_while_busy
from mediaarchive.db.session import Database

__all__ = [
    "Asset",
    "AuditRecord",
    "Base",
    "Database",
    "Event",
    "FixityEvent",
    "Job",
    "OcrText",
    "PageLink",
    "Rendition",
    "Segment",
    "Source",
    "SourceLink",
    "Transcript",
    "TranscriptRevision",
    "Word",
    "current_segment",
    "current_segments",
    "is_locked",
    "retry_while_busy",
    "segment_at",
]
