"""Speech audio read window by window: a long talk is never held in memory whole.

``WavSamples`` stands for the samples of a 16 kHz mono 16-bit WAV (the speech audio that
transcode makes): ``len()`` and slices (``samples[lo:hi]``, float32 in [-1, 1), the same
values as decoding the whole file) read only that stretch from the file. A 60-minute talk
would otherwise take 230 MB as float32 samples, plus copies made while converting.
``load_audio`` opens any recording as samples, ``window_bounds`` cuts them into decoding
windows at pauses.
"""

from __future__ import annotations

import os
import struct
import threading
import wave
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from mediaarchive.errors import TranscriptionError

__all__ = ["WavSamples", "data_offset", "give_back_memory", "load_audio", "window_bounds"]

SAMPLE_RATE = 16000
#: How far before a window's end to look for the quietest moment to cut at.
CUT_SEARCH_SECONDS = 60.0


def give_back_memory() -> None:
    """Hand freed heap back to the system (glibc's ``malloc_trim``; elsewhere a no-op).

    The VAD and the decoder allocate large temporaries per window from their own threads;
    glibc keeps those freed pages, so without this a 60-minute talk's resident memory grew
    window by window (by 350 MB over the VAD passes alone).
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, else None."""
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def data_offset(path: Path) -> int | None:
    """Where the samples of a RIFF WAV file begin (the body of its ``data`` chunk)."""
    with open(path, "rb") as handle:
        if handle.read(12)[8:12] != b"WAVE":
            return None
        position = 12
        while header := handle.read(8):
            if len(header) < 8:
                return None
            chunk_id, length = struct.unpack("<4sI", header)
            if chunk_id == b"data":
                return position + 8
            position += 8 + length + (length & 1)
            handle.seek(position)
    return None


class WavSamples:
    """The samples of 16-bit mono WAV data at ``offset`` (``count`` of them), read on demand.

    The file stays open (by descriptor) until ``close()`` or garbage collection, so a
    temporary copy may be deleted while the samples are still read.
    """

    def __init__(self, path: Path, offset: int, count: int, sample_rate: int = 16000) -> None:
        self.path = Path(path)
        self.offset = offset
        self.count = count
        self.sample_rate = sample_rate
        self._fd: int | None = os.open(self.path, os.O_RDONLY)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, key: slice) -> np.ndarray:
        if not isinstance(key, slice):
            raise TypeError("WavSamples reads stretches: use samples[lo:hi]")
        start, stop, step = key.indices(self.count)
        if step != 1:
            raise ValueError("WavSamples reads contiguous stretches only")
        wanted = max(0, stop - start)
        with self._lock:
            if self._fd is None:
                raise ValueError(f"the audio {self.path} was closed")
            raw = os.pread(self._fd, wanted * 2, self.offset + start * 2)
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32)
        samples /= 32768.0
        return samples

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001,S110 - interpreter shutdown
            pass


def load_audio(path: Path, *, windowed: bool = False) -> np.ndarray:
    """16 kHz mono float32 samples; 16-bit WAV is read directly, anything else via PyAV.

    ``windowed``: a 16 kHz mono 16-bit WAV (the speech audio transcode makes) comes back as
    ``WavSamples``, read a stretch at a time as it is sliced (flat memory on long talks).
    """
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as wav:
            if (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (SAMPLE_RATE, 1, 2):
                data = data_offset(path) if windowed else None
                if data is not None:
                    return WavSamples(path, data, wav.getnframes())  # type: ignore[return-value]
                raw = wav.readframes(wav.getnframes())
                samples = np.frombuffer(raw, dtype=np.int16).astype(np.float32)
                del raw
                samples /= 32768.0
                return samples
    except (wave.Error, EOFError):
        pass
    except OSError as exc:
        raise TranscriptionError(f"cannot read audio {path}: {exc}") from exc
    from faster_whisper import decode_audio

    try:
        return decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises its own error family
        raise TranscriptionError(f"cannot decode audio {path}: {exc}") from exc


def window_bounds(audio: np.ndarray, start: int, seconds: float) -> Iterator[tuple[int, int]]:
    """Sample ranges of at most ``seconds``, each cut at the quietest 0.1 s near its end."""
    total = len(audio)
    size = int(seconds * SAMPLE_RATE)
    frame = SAMPLE_RATE // 10
    while start < total:
        end = start + size
        if end >= total:
            yield start, total
            return
        search = min(CUT_SEARCH_SECONDS, seconds / 4)
        search_from = max(start + frame, end - int(search * SAMPLE_RATE))
        region = audio[search_from:end]
        frames = len(region) // frame
        energy = np.square(region[: frames * frame].reshape(frames, frame)).mean(axis=1)
        cut = search_from + int(np.argmin(energy)) * frame + frame // 2
        yield start, cut
        start = cut
