"""Typed errors. Third-party failures are wrapped where they happen, with the asset and URL.

The CLI maps them to exit code 1 and one line on stderr; the web maps them to HTTP statuses.
"""

from __future__ import annotations


class MediaArchiveError(Exception):
    """Base of every error a user may see. The message is one line saying what to do."""

    #: A transient failure may succeed when retried (network hiccup, 5xx, timeout).
    transient: bool = False
    #: HTTP status the web edge answers with.
    http_status: int = 500

    def __init__(self, message: str, *, transient: bool | None = None) -> None:
        super().__init__(message)
        if transient is not None:
            self.transient = transient

    @property
    def message(self) -> str:
        return str(self)


class UserError(MediaArchiveError):
    """Something the user asked for cannot be done as asked."""

    http_status = 400


class ConfigError(UserError):
    """A setting, option or definition file is wrong."""


class PipelineError(ConfigError):
    """A pipeline definition is invalid (names the file and line)."""


class NotFoundError(UserError):
    """An asset, event or file does not exist."""

    http_status = 404


class AmbiguousIdError(NotFoundError):
    """An id prefix matches several assets."""

    http_status = 400


class DatabaseBusyError(MediaArchiveError):
    """Other writers kept the database locked through every retry of a short write."""

    transient = True
    http_status = 503


class FetchError(MediaArchiveError):
    """An asset could not be fetched from its source."""

    http_status = 502


class ExpiredLinkError(FetchError):
    """A presigned link has expired; it must be re-exported."""


class StoreError(MediaArchiveError):
    """The archive store could not read or write a blob."""


class ProbeError(MediaArchiveError):
    """ffprobe could not read the file."""

    http_status = 422


class TranscodeError(MediaArchiveError):
    """ffmpeg failed; the message carries ffmpeg's last meaningful stderr line."""


class TranscriptionError(MediaArchiveError):
    """Speech recognition failed or the model is unusable."""


class ModelError(TranscriptionError):
    """A speech model is missing, incomplete or fails its checksum."""


class OcrError(MediaArchiveError):
    """Text recognition failed."""


class SubtitleError(UserError):
    """A subtitle file cannot be built, parsed or imported."""


class ExportError(MediaArchiveError):
    """An export (a BagIt bag in a folder or on S3) could not be written or uploaded."""


class ConflictError(UserError):
    """Someone else changed what is being saved since it was read (names the line)."""

    http_status = 409
