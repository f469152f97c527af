"""PCM WAV files read from their header, without starting ffprobe (a tenth of a second or
more per call): the probe summary of a plain, complete PCM WAV, and where its samples are.

Anything unusual (compressed codecs, a data chunk longer than the file, a kept metadata tag
that is not UTF-8) returns None, and the caller asks ffprobe as before.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["WavLayout", "probe_wav", "wav_layout"]

_PCM, _FLOAT = 1, 3
#: INFO tags the probe summary keeps, by the names ffprobe gives them.
_KEPT_INFO = {b"INAM": "title", b"IART": "artist", b"ICMT": "comment", b"ICRD": "date"}


@dataclass(frozen=True)
class WavLayout:
    """Where a PCM WAV's samples are and how they are laid out."""

    format_tag: int
    channels: int
    sample_rate: int
    bits: int
    data_offset: int
    data_bytes: int
    #: The kept INFO tags' values as stored (up to the first NUL, as ffmpeg reads them).
    info_values: tuple[tuple[bytes, bytes], ...] = ()

    @property
    def block(self) -> int:
        return self.channels * self.bits // 8

    @property
    def codec(self) -> str:
        if self.format_tag == _FLOAT:
            return f"pcm_f{self.bits}le"
        return "pcm_u8" if self.bits == 8 else f"pcm_s{self.bits}le"


def wav_layout(path: Path) -> WavLayout | None:
    """The layout of a complete PCM WAV file (None: not one, or not complete)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            size = Path(path).stat().st_size
            fmt: tuple[int, int, int, int] | None = None
            values: list[tuple[bytes, bytes]] = []
            position = 12
            while position + 8 <= size:
                handle.seek(position)
                chunk_id, length = struct.unpack("<4sI", handle.read(8))
                body = position + 8
                if chunk_id == b"fmt ":
                    raw = handle.read(min(length, 40))
                    if len(raw) < 16:
                        return None
                    tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", raw[:16])
                    # (WAVE_FORMAT_EXTENSIBLE carries a channel layout: left to ffprobe.)
                    fmt = (tag, channels, rate, bits)
                elif chunk_id == b"LIST":
                    if length > 65536:
                        return None  # tags beyond what is read here: ffprobe reads them
                    listing = handle.read(length)
                    if listing[:4] == b"INFO":
                        at = 4
                        while at + 8 <= len(listing):
                            name, n = struct.unpack("<4sI", listing[at : at + 8])
                            if name in _KEPT_INFO:
                                value = listing[at + 8 : at + 8 + n]
                                if len(value) < n:
                                    return None  # a tag beyond what was read: ffprobe
                                values.append((name, value.split(b"\0", 1)[0]))
                            at += 8 + n + (n & 1)
                elif chunk_id == b"data":
                    if fmt is None or body + length > size:
                        return None  # no format first, or cut short: ffprobe judges it
                    tag, channels, rate, bits = fmt
                    if tag not in (_PCM, _FLOAT) or not channels or not rate or bits % 8:
                        return None
                    if tag == _FLOAT and bits not in (32, 64):
                        return None
                    return WavLayout(tag, channels, rate, bits, body, length, tuple(values))
                position = body + length + (length & 1)
    except (OSError, struct.error):
        return None
    return None


def probe_wav(path: Path) -> dict[str, Any] | None:
    """ffprobe's JSON (the parts ``probe.summarise`` reads) for a plain, complete PCM WAV;
    None for anything else."""
    layout = wav_layout(path)
    if layout is None or layout.channels > 2:
        return None
    tags: dict[str, str] = {}
    for name, value in layout.info_values:
        try:
            tags[_KEPT_INFO[name]] = value.decode("utf-8")
        except UnicodeDecodeError:
            return None  # (Latin-1 from an old recorder, say: as ffprobe shows it)
    byte_rate = layout.sample_rate * layout.block
    duration = layout.data_bytes / byte_rate
    size = Path(path).stat().st_size
    return {
        "format": {
            "format_name": "wav",
            "format_long_name": "WAV / WAVE (Waveform Audio)",
            "duration": f"{duration:.6f}",
            "bit_rate": str(int(size * 8 / duration)) if duration else None,
            "size": str(size),
            "tags": tags,
        },
        "streams": [
            {
                "index": 0,
                "codec_type": "audio",
                "codec_name": layout.codec,
                "duration": f"{duration:.6f}",
                "bit_rate": str(byte_rate * 8),
                "sample_rate": str(layout.sample_rate),
                "channels": layout.channels,
            }
        ],
    }
