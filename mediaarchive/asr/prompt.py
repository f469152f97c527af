"""The initial prompt built from an asset's metadata, and recognising its echo.

Whisper continues the style of its prompt and, on short or unclear audio, sometimes returns
the prompt itself as if it had been said. So the prompt carries only what helps spelling:
the event and a real title (a title that is only a file name is not a title: it is never put
in), then names and glossary terms as one comma list. A decoded segment is an echo when
nearly all its words are words of the prompt; such a segment is decoded again without the
prompt (``transcriber``) rather than kept.
"""

from __future__ import annotations

import re
from pathlib import Path

from mediaarchive.asr.guards import normalise
from mediaarchive.errors import ConfigError

__all__ = ["build_prompt", "is_echo", "is_file_name", "read_glossary"]

#: Extensions that make a title a file name (media, documents, archives).
_EXTENSION = re.compile(
    r"\.(mp4|m4v|mkv|mov|webm|avi|wmv|flv|mpe?g|ts|mts|3gp|mp3|m4a|aac|wav|flac|ogg|oga|opus|"
    r"wma|aiff?|png|jpe?g|gif|webp|tiff?|pdf|zip|tar|gz)$",
    re.IGNORECASE,
)
#: A camera or recorder name without extension: IMG_1234, DSC01234, GX010123, 20240501_1030.
_DEVICE_NAME = re.compile(r"^(img|dsc|dscn|mvi|mov|vid|gx|gopr|zoom|rec|dji)[-_]?\d+$|^[\d_-]+$")
#: A share of a segment's words found in the prompt from which it counts as an echo.
ECHO_SHARE = 0.6


def is_file_name(title: str | None) -> bool:
    """Whether ``title`` is only a file name (ingest falls back to it when there is none)."""
    text = (title or "").strip()
    if not text:
        return False
    if _EXTENSION.search(text) or _DEVICE_NAME.match(text.lower()):
        return True
    # One token joined by - or _ with a digit run or hex hash in it: "video-3f2a9c81d0",
    # "audio-b5c6cd1b5a3dbcef30e7" (a hash need not hold three digits in a row).
    if " " in text or not re.search(r"[-_]", text):
        return False
    return bool(re.search(r"\d{3,}", text)) or any(
        re.fullmatch(r"[0-9a-f]{8,}", part) and re.search(r"\d", part)
        for part in re.split(r"[-_.]", text.lower())
    )


def build_prompt(
    *,
    event: str | None = None,
    title: str | None = None,
    speakers: list[str] | None = None,
    glossary: list[str] | None = None,
) -> tuple[str | None, str | None]:
    """The initial prompt and hotwords for an asset's metadata and glossary terms.

    Event and title as one sentence each, then speakers' names and glossary terms as a
    single comma list. Hotwords stay unset (None): measured on generated talks, terms in
    the prompt came out right more often than the same terms as hotwords.
    """
    parts = []
    if event and event.strip():
        parts.append(f"{event.strip().rstrip('.')}.")
    if title and title.strip() and not is_file_name(title):
        parts.append(f"{title.strip().rstrip('.')}.")
    names = [s.strip() for s in speakers or [] if s and s.strip()]
    terms = [t.strip() for t in glossary or [] if t and t.strip()]
    listed = list(dict.fromkeys([*names, *terms]))
    if listed:
        parts.append(f"{', '.join(listed)}.")
    return " ".join(parts) or None, None


def is_echo(text: str, prompt: str | None) -> bool:
    """Whether ``text`` is (mostly) the prompt given back rather than speech.

    At least ``ECHO_SHARE`` of its words are words of the prompt (a numbered or slightly
    changed copy such as "8. video-3f2a.mp4." for "Labcamp 4. video-3f2a.mp4." counts).
    """
    if not prompt:
        return False
    words = normalise(text).split()
    if not words:
        return False
    prompt_words = set(normalise(prompt).split())
    inside = sum(1 for w in words if w in prompt_words)
    return inside / len(words) >= ECHO_SHARE


def read_glossary(path: Path) -> list[str]:
    """Terms of a glossary file: one per line (or comma-separated); ``#`` starts a comment."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read glossary file {path}: {exc.strerror or exc}") from exc
    terms: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        terms.extend(t.strip() for t in line.split(",") if t.strip())
    return terms
