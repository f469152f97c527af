"""The archive's fixed vocabularies, declared once: asset kinds, asset and job states, hit
sources. They are ``StrEnum``s, so each member compares equal to (and serialises as) the plain
string the CLI contract names."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ASSET_KINDS",
    "ASSET_STATES",
    "AssetKind",
    "AssetState",
    "HIT_SOURCES",
    "HitSource",
    "JOB_STATES",
    "JobState",
    "SOURCE_STATES",
    "SourceState",
    "REVIEW_STATES",
    "ReviewState",
    "AuditAction",
    "RevisionAction",
]


class AssetKind(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    IMAGE = "image"
    OTHER = "other"


class AssetState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


class SourceState(StrEnum):
    """A source (one link to fetch): recorded as pending before its download starts."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class HitSource(StrEnum):
    """Where a search hit's text came from."""

    SPEECH = "speech"
    SLIDE = "slide"
    IMAGE = "image"
    METADATA = "metadata"


class ReviewState(StrEnum):
    """How far a transcript has been checked by a person."""

    MACHINE = "machine"
    IN_REVIEW = "in-review"
    APPROVED = "approved"


class RevisionAction(StrEnum):
    """What made a transcript revision."""

    ASR = "asr"
    IMPORT = "import"
    EDIT = "edit"
    REPLACE = "replace"
    REVERT = "revert"


class AuditAction(StrEnum):
    """What an audit record records (``history``'s ``action``)."""

    EDIT = "edit"
    REINGEST = "reingest"
    EVENT_RENAME = "event-rename"
    EVENT_MERGE = "event-merge"
    EVENT_EDIT = "event-edit"
    WITHDRAW = "withdraw"
    RESTORE = "restore"
    PURGE = "purge"
    TRANSCRIPT_EDIT = "transcript-edit"
    TRANSCRIPT_REPLACE = "transcript-replace"
    TRANSCRIPT_REVERT = "transcript-revert"
    TRANSCRIPT_IMPORT = "transcript-import"
    REVIEW = "review"


#: The values as plain strings (for click choices, SQL ``IN`` and messages; click maps Enum
#: choices by member name, so it gets these).
ASSET_KINDS: tuple[str, ...] = tuple(kind.value for kind in AssetKind)
ASSET_STATES: tuple[str, ...] = tuple(state.value for state in AssetState)
JOB_STATES: tuple[str, ...] = tuple(state.value for state in JobState)
SOURCE_STATES: tuple[str, ...] = tuple(state.value for state in SourceState)
HIT_SOURCES: tuple[str, ...] = tuple(source.value for source in HitSource)
REVIEW_STATES: tuple[str, ...] = tuple(state.value for state in ReviewState)
