"""Database access: engine, sessions, migrations, and retrying a write while it is busy.

Names load on first use: the models pull in SQLAlchemy's ORM (half a second of start-up),
which ``mediaarchive.db.plain`` readers (``status``) do without.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mediaarchive.db.models import (
        ArchiveInfo,
        Asset,
        AuditRecord,
        Base,
        Event,
        ExportRecord,
        FixityEvent,
        Job,
        LoginFailure,
        OcrText,
        PageLink,
        Rendition,
        Segment,
        Source,
        SourceLink,
        Tombstone,
        Transcript,
        TranscriptRevision,
        User,
        WebSession,
        Word,
        current_segment,
        current_segments,
        segment_at,
    )
    from mediaarchive.db.retry import is_locked, retry_while_busy
    from mediaarchive.db.session import Database

__all__ = [
    "ArchiveInfo",
    "Asset",
    "AuditRecord",
    "Base",
    "Database",
    "Event",
    "ExportRecord",
    "FixityEvent",
    "Job",
    "LoginFailure",
    "OcrText",
    "PageLink",
    "Rendition",
    "Segment",
    "Source",
    "SourceLink",
    "Transcript",
    "Tombstone",
    "TranscriptRevision",
    "User",
    "WebSession",
    "Word",
    "current_segment",
    "current_segments",
    "is_locked",
    "retry_while_busy",
    "segment_at",
]

_HOMES = {
    "ArchiveInfo": "models",
    "Asset": "models",
    "AuditRecord": "models",
    "Base": "models",
    "Event": "models",
    "ExportRecord": "models",
    "FixityEvent": "models",
    "Job": "models",
    "LoginFailure": "models",
    "OcrText": "models",
    "PageLink": "models",
    "Rendition": "models",
    "Segment": "models",
    "Source": "models",
    "SourceLink": "models",
    "Tombstone": "models",
    "Transcript": "models",
    "TranscriptRevision": "models",
    "User": "models",
    "WebSession": "models",
    "Word": "models",
    "current_segment": "models",
    "current_segments": "models",
    "segment_at": "models",
    "is_locked": "retry",
    "retry_while_busy": "retry",
    "Database": "session",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
