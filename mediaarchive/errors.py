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
    #: The host does not resolve or refuses connections (its other links need no try).
    host_down: bool = False


class ExpiredLinkError(FetchError):
    """A presigned link has expired; it must be re-exported."""


class StoreError(MediaArchiveError):
    """The archive store could not read or write a blob."""


class DamagedError(StoreError):
    """A stored blob is missing, or its bytes no longer hash to its sha256.

    ``actual`` is the sha256 the bytes have now, None when the blob is missing.
    """

    def __init__(self, message: str, *, key: str, expected: str, actual: str | None) -> None:
        super().__init__(message)
        self.key = key
        self.expected = expected
        self.actual = actual

    @property
    def missing(self) -> bool:
        return self.actual is None


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
