"""Database access: engine, sessions, migrations, and retrying a write while it is busy."""

from mediaarchive.db.models import (
    Asset,
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
    Word,
)
from mediaarchive.db.retry import is_locked, retry_while_busy
from mediaarchive.db.session import Database

__all__ = [
    "Asset",
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
    "Word",
    "is_locked",
    "retry_while_busy",
]
