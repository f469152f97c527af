"""PCM WAV files read from their header, without starting ffprobe (a tenth of a second or
more per call): the probe summary of a plain, complete PCM WAV, and where its samples are.

Anything unusual (compressed codecs, a data chunk longer than the file, metadata tags other
than the encoder's) returns None, and the caller asks ffprobe as before.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["WavLayout", "probe_wav", "wav_layout"]

_PCM, _FLOAT = 1, 3
#: INFO tags that ffprobe reports and the probe summary keeps: those files go to ffprobe.
_KEPT_INFO = {b"INAM", b"IART", b"ICMT", b"ICRD"}


@dataclass(frozen=True)
class WavLayout:
    """Where a PCM WAV's samples are and how they are laid out."""

    format_tag: int
    channels: int
    sample_rate: int
    bits: int
    data_offset: int
    data_bytes: int
    info_tags: frozenset[bytes]

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
            tags: set[bytes] = set()
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
                    listing = handle.read(min(length, 65536))
                    if listing[:4] == b"INFO":
                        at = 4
                        while at + 8 <= len(listing):
                            name, n = struct.unpack("<4sI", listing[at : at + 8])
                            tags.add(name)
                            at += 8 + n + (n & 1)
                elif chunk_id == b"data":
                    if fmt is None or body + length > size:
                        return None  # no format first, or cut short: ffprobe judges it
                    tag, channels, rate, bits = fmt
                    if tag not in (_PCM, _FLOAT) or not channels or not rate or bits % 8:
                        return None
                    if tag == _FLOAT and bits not in (32, 64):
                        return None
                    return WavLayout(tag, channels, rate, bits, body, length, frozenset(tags))
                position = body + length + (length & 1)
    except (OSError, struct.error):
        return None
    return None


def probe_wav(path: Path) -> dict[str, Any] | None:
    """ffprobe's JSON (the parts ``probe.summarise`` reads) for a plain, complete PCM WAV;
    None for anything else."""
    layout = wav_layout(path)
    if layout is None or layout.info_tags & _KEPT_INFO or layout.channels > 2:
        return None
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
