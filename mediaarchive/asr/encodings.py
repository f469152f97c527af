"""A short recording is encoded once: language detection hands its encoder output to the
decoder.

Whisper detects the language from the encoder's output for 30 s of audio, and the decoder
needs the encoder's output for the same 30 s: for a recording of at most 30 s, decoded
whole (``DecodingOptions.sequential_up_to``), that is one encoder pass done twice. The
pass costs 2 s on one core for the bundled model, a quarter of the CPU of a batch of 20-30 s
clips (measured: 96 of 422 CPU seconds for 24 clips). ``SharedEncodings`` wraps the model's
``encode``: detection encodes the features the decoder will ask for (``decoder_features``,
computed as faster-whisper computes them) and keeps the output; the decoder's call with
equal features gets it instead of a second pass. Anything else is encoded as before.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from mediaarchive.asr.language import Detection

__all__ = ["SharedEncodings", "decoder_features", "whole_detector"]

#: Outputs kept at most (one per job thread; each is 3 MB for the bundled model).
KEPT = 4


def decoder_features(whisper: Any, audio: np.ndarray) -> np.ndarray:
    """The features faster-whisper's sequential decoder encodes first for ``audio``: the
    log-Mel spectrogram of the whole recording, its first 30 s padded to 30 s."""
    from faster_whisper.audio import pad_or_trim

    extractor = whisper.feature_extractor
    features = extractor(audio, chunk_length=extractor.chunk_length)
    content = features.shape[-1] - 1
    return pad_or_trim(features[:, : min(extractor.nb_max_frames, content)])


def _key(features: np.ndarray) -> tuple[tuple[int, ...], str, bytes]:
    array = np.ascontiguousarray(features)
    if array.ndim == 2:
        array = array[None]
    digest = hashlib.blake2b(array.view(np.uint8), digest_size=16).digest()
    return array.shape, str(array.dtype), digest


class SharedEncodings:
    """``encode`` of a WhisperModel that hands out outputs kept by ``keep`` once."""

    def __init__(self, encode: Callable[[np.ndarray], Any]) -> None:
        self._encode = encode
        self._kept: OrderedDict[tuple[tuple[int, ...], str, bytes], Any] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, features: np.ndarray) -> Any:
        """Encode ``features`` and keep the output for the next ``__call__`` with them."""
        output = self._encode(features)
        with self._lock:
            self._kept[_key(features)] = output
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return output

    def __call__(self, features: np.ndarray) -> Any:
        if self._kept:
            with self._lock:
                output = self._kept.pop(_key(features), None)
            if output is not None:
                return output
        return self._encode(features)


def whole_detector(whisper: Any, audio: np.ndarray) -> Callable[[object], Detection]:
    """Language detection (for ``language.decide_language``) on the first 30 s of a short
    recording as the decoder will encode them; the encoder's output is kept for the decoder
    (``whisper.encode`` is a ``SharedEncodings``)."""

    def detect(_: object) -> Detection:
        encoded = whisper.encode.keep(decoder_features(whisper, audio))
        results = whisper.model.detect_language(encoded)[0]
        probabilities = [(token[2:-2], float(p)) for token, p in results]
        return probabilities[0][0], probabilities[0][1], probabilities

    return detect
