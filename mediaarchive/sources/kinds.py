"""The kind of a file from its bytes (magic numbers), not from its name."""

from __future__ import annotations

import mimetypes
import re

import filetype

#: Enough bytes for every signature ``filetype`` knows (it reads at most 8 KiB).
HEAD_BYTES = 8192

_MEDIA_EXTENSIONS = {
    # video
    "mp4",
    "m4v",
    "mov",
    "mkv",
    "webm",
    "avi",
    "mpg",
    "mpeg",
    "wmv",
    "flv",
    "ts",
    "3gp",
    # audio
    "mp3",
    "m4a",
    "aac",
    "wav",
    "flac",
    "ogg",
    "oga",
    "opus",
    "wma",
    "aiff",
    # images
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "tif",
    "tiff",
    "bmp",
    "heic",
    "avif",
    "svg",
    # documents that events also keep
    "pdf",
    "pptx",
    "ppt",
    "key",
    "odp",
    "docx",
}
_HTML = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_media_name(name: str) -> bool:
    """True when a file or URL path ends with an extension of media an event keeps."""
    base = name.rsplit("?", 1)[0].rsplit("#", 1)[0].rsplit("/", 1)[-1]
    return "." in base and base.rsplit(".", 1)[-1].lower() in _MEDIA_EXTENSIONS


def is_html(head: bytes) -> bool:
    """True when the bytes start like an HTML document (a login or error page)."""
    return bool(_HTML.match(head[:2048]))


def detect_kind(head: bytes, name: str = "") -> tuple[str, str | None]:
    """(kind, mime) from the first bytes of a file.

    ``kind`` is video, audio, image or other. The name is only a fallback for formats
    without a magic number (e.g. SVG, plain text).
    """
    guess = filetype.guess(head)
    if guess is not None:
        mime = guess.mime
        major = mime.split("/", 1)[0]
        # filetype calls some containers video/* even when they only hold audio (m4a is
        # audio/mp4 in its table); trust its top-level type otherwise.
        if major in ("video", "audio", "image"):
            return major, mime
        return "other", mime
    mime, _ = mimetypes.guess_type(name)
    if mime == "image/svg+xml" and b"<svg" in head[:4096]:
        return "image", mime
    if is_html(head):
        return "other", "text/html"
    return "other", mime


def name_disagrees(kind: str, name: str) -> str | None:
    """A warning when the file name promises media the bytes are not (``talk.mp4`` holding
    text): the asset is archived as what the bytes are, and the archivist should know."""
    mime, _ = mimetypes.guess_type(name)
    named = (mime or "").split("/", 1)[0]
    if named in ("video", "audio", "image") and named != kind and mime != "image/svg+xml":
        suffix = name.rsplit(".", 1)[-1] if "." in name else name
        return (
            f"the name says {named} (.{suffix}) but the bytes are not {named}: archived as "
            f"{kind}; check the source (a renamed or broken file?)"
        )
    return None


def mostly_zero(size: int, zero_bytes: int) -> str | None:
    """A warning for a file of (almost) only zero bytes: a sparse or never-written file."""
    if size < 1024 * 1024 or zero_bytes < 0.9 * size:
        return None
    return (
        f"{zero_bytes * 100 // size}% of its {size} bytes are zero (a sparse or empty file?); "
        "archived as it is, check the source"
    )
