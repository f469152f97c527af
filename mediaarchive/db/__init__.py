"""Database access: engine, sessions and migrations."""

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
    SourceLink,
    Transcript,
    Word,
)
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
    "SourceLink",
    "Transcript",
    "Word",
]
