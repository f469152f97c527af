"""Each 30 s of speech is encoded once: language detection hands its encoder outputs to the
decoder.

Whisper detects the language from the encoder's output for 30 s of audio, and the decoder
needs the encoder's output for the same 30 s. Detection used to encode windows of its own:
for a recording of at most 30 s, decoded whole (``DecodingOptions.sequential_up_to``), that
was one encoder pass done twice (2 s on one core for the bundled model, a quarter of the
CPU of a batch of 20-30 s clips: 96 of 422 CPU seconds for 24 clips); for a longer one,
one pass per minute of speech beside the decoder's (3.3 s of a 2-minute talk's 19 s).

``SharedEncodings`` wraps the model's ``encode``: detection encodes exactly the features the
decoder will ask for and keeps the outputs; the decoder's call with equal features (item by
item, within a batch) gets them instead of a second pass. For a short recording those are
the features of the sequential decoder's first 30 s (``decoder_features``); for a longer
one, some of the chunks the batched pipeline makes of each window (``planned_chunks``:
the VAD's speech, merged as faster-whisper's ``collect_chunks`` merges it). Anything else is
encoded as before. A batch's outputs are the same, bit for bit, encoded together or apart.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mediaarchive.asr.audio import SAMPLE_RATE, window_bounds
from mediaarchive.asr.coverage import speech_timestamps
from mediaarchive.asr.language import SPEECH_PER_WINDOW, WINDOWS, Detection

__all__ = [
    "PlannedChunk",
    "SharedEncodings",
    "chunk_detector",
    "decoder_features",
    "pick_chunks",
    "planned_chunks",
    "whole_detector",
]

#: The batched pipeline's chunk length (seconds of speech encoded as one 30 s input).
CHUNK_SECONDS = 30
#: Outputs kept at most: the windows detection looks at, for several jobs at once (each
#: output is 3 MB for the bundled model; a batch of short clips keeps one per job). One the
#: decoder never asks for (a resumed run starts later) is dropped when newer ones come.
KEPT = 4 * WINDOWS + 8


def decoder_features(whisper: Any, audio: np.ndarray) -> np.ndarray:
    """The features faster-whisper's sequential decoder encodes first for ``audio``: the
    log-Mel spectrogram of the whole recording, its first 30 s padded to 30 s."""
    from faster_whisper.audio import pad_or_trim

    extractor = whisper.feature_extractor
    features = extractor(audio, chunk_length=extractor.chunk_length)
    content = features.shape[-1] - 1
    return pad_or_trim(features[:, : min(extractor.nb_max_frames, content)])


def _key(item: np.ndarray) -> tuple[tuple[int, ...], str, bytes]:
    """The key of one input (n_mels, frames) of the encoder."""
    array = np.ascontiguousarray(item)
    digest = hashlib.blake2b(array.view(np.uint8), digest_size=16).digest()
    return array.shape, str(array.dtype), digest


def _items(features: np.ndarray) -> np.ndarray:
    array = np.asarray(features)
    return array[None] if array.ndim == 2 else array


class SharedEncodings:
    """``encode`` of a WhisperModel that hands out outputs kept by ``keep`` once."""

    def __init__(self, encode: Callable[[np.ndarray], Any]) -> None:
        self._encode = encode
        self._kept: OrderedDict[tuple[tuple[int, ...], str, bytes], Any] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, features: np.ndarray) -> Any:
        """Encode ``features`` (one input) and keep the output for the next ``__call__``
        that asks for it."""
        output = self._encode(features)
        with self._lock:
            self._kept[_key(_items(features)[0])] = output
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return output

    def __call__(self, features: np.ndarray) -> Any:
        if not self._kept:
            return self._encode(features)
        items = _items(features)
        keys = [_key(item) for item in items]
        with self._lock:
            found = [self._kept.pop(key, None) for key in keys]
        if all(output is None for output in found):
            return self._encode(features)
        if len(found) == 1:
            return found[0]
        import ctranslate2

        missing = [i for i, output in enumerate(found) if output is None]
        encoded = np.asarray(self._encode(items[missing])) if missing else None
        first = np.asarray(next(output for output in found if output is not None))
        batch = np.empty((len(items), *first.shape[1:]), dtype=first.dtype)
        for i, output in enumerate(found):
            if output is not None:
                batch[i] = np.asarray(output)[0]
        if encoded is not None:
            batch[missing] = encoded
        return ctranslate2.StorageView.from_array(batch)


@dataclass(frozen=True)
class PlannedChunk:
    """One chunk the batched pipeline will encode: the window it is cut from (sample
    range), the VAD's spans it joins (sample ranges in the window), its seconds of speech
    and its first and last moment (absolute seconds)."""

    window: tuple[int, int]
    spans: tuple[tuple[int, int], ...]
    speech: float
    start: float
    end: float


def _merged(spans: list[dict[str, int]]) -> list[list[dict[str, int]]]:
    """The VAD's spans grouped as ``faster_whisper.vad.collect_chunks`` groups them (up to
    ``CHUNK_SECONDS`` of speech each; a group may be empty, as there)."""
    groups: list[list[dict[str, int]]] = [[]]
    length = 0
    for span in spans:
        size = span["end"] - span["start"]
        if length + size > CHUNK_SECONDS * SAMPLE_RATE:
            groups.append([span])
            length = size
        else:
            groups[-1].append(span)
            length += size
    return groups


def _chunk_audio(window: np.ndarray, spans: tuple[tuple[int, int], ...]) -> np.ndarray:
    parts = [np.array([], dtype=np.float32)]
    parts += [window[start:end] for start, end in spans]
    return np.concatenate(parts)


def planned_chunks(
    audio: np.ndarray, window_seconds: float, vad_parameters: dict[str, Any]
) -> list[PlannedChunk]:
    """The chunks the batched pipeline makes of ``audio`` decoded from its start in windows
    of ``window_seconds`` (``audio.window_bounds``), in order."""
    chunks: list[PlannedChunk] = []
    for lo, hi in window_bounds(audio, 0, window_seconds):
        spans = speech_timestamps(audio[lo:hi], vad_parameters)
        if not spans:
            continue
        for group in _merged(spans):
            if group:
                chunks.append(
                    PlannedChunk(
                        (lo, hi),
                        tuple((s["start"], s["end"]) for s in group),
                        sum(s["end"] - s["start"] for s in group) / SAMPLE_RATE,
                        (lo + group[0]["start"]) / SAMPLE_RATE,
                        (lo + group[-1]["end"]) / SAMPLE_RATE,
                    )
                )
    return chunks


def pick_chunks(chunks: list[PlannedChunk], count: int = WINDOWS) -> list[PlannedChunk]:
    """Up to ``count`` chunks, one per ``SPEECH_PER_WINDOW`` of speech: for 30 s stretches
    of speech spread evenly from its first 30 s to its last, the chunk holding the middle of
    each (so a few seconds of speech at the very end are not a window of their own)."""
    total = sum(chunk.speech for chunk in chunks)
    if total <= 0:
        return []
    count = max(1, min(count, int(np.ceil(total / SPEECH_PER_WINDOW))))
    half = min(CHUNK_SECONDS, total) / 2
    step = (total - 2 * half) / (count - 1) if count > 1 else 0.0
    picked: list[PlannedChunk] = []
    for i in range(count):
        middle, position = half + i * step, 0.0
        for chunk in chunks:
            position += chunk.speech
            if position >= middle or chunk is chunks[-1]:
                if chunk not in picked:
                    picked.append(chunk)
                break
    return picked


def chunk_detector(
    whisper: Any, audio: np.ndarray, chunks: list[PlannedChunk]
) -> Callable[[list[tuple[float, float]]], Detection]:
    """Language detection (for ``language.decide_language``, whose windows are the
    ``chunks``' (start, end)) on the features the batched pipeline will encode for each
    chunk; the encoder's outputs are kept for the decoder (``whisper.encode`` is a
    ``SharedEncodings``)."""
    from faster_whisper.audio import pad_or_trim

    by_span = {(chunk.start, chunk.end): chunk for chunk in chunks}

    def detect(pieces: list[tuple[float, float]]) -> Detection:
        chunk = by_span[(pieces[0][0], pieces[-1][1])]
        lo, hi = chunk.window
        samples = _chunk_audio(audio[lo:hi], chunk.spans)
        features = pad_or_trim(whisper.feature_extractor(samples)[..., :-1])
        return _detected(whisper, whisper.encode.keep(features))

    return detect


def _detected(whisper: Any, encoded: Any) -> Detection:
    results = whisper.model.detect_language(encoded)[0]
    probabilities = [(token[2:-2], float(p)) for token, p in results]
    return probabilities[0][0], probabilities[0][1], probabilities


def whole_detector(whisper: Any, audio: np.ndarray) -> Callable[[object], Detection]:
    """Language detection (for ``language.decide_language``) on the first 30 s of a short
    recording as the decoder will encode them; the encoder's output is kept for the decoder
    (``whisper.encode`` is a ``SharedEncodings``)."""

    def detect(_: object) -> Detection:
        return _detected(whisper, whisper.encode.keep(decoder_features(whisper, audio)))

    return detect
