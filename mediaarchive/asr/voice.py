"""Who sounds like whom: Resemblyzer's voice encoder, run with numpy (no torch).

The network is the GE2E speaker encoder that the ``Resemblyzer`` wheel on PyPI ships as
``pretrained.pt``: 40 mel bands every 10 ms, three LSTM layers of 256, a linear layer,
ReLU and L2 normalisation, giving a 256-d voice embedding per 1.6 s "partial"; an
utterance's embedding is the normalised mean of its partials. The front end copies
librosa's ``melspectrogram`` defaults (Slaney mel scale and norm, periodic Hann window,
centred frames padded with zeros) so that the numbers match the original package's
(``tests/asr/test_voice.py`` checks cosine >= 0.999 against embeddings it computed).

The weights are read from the ``.pt`` file itself with a restricted unpickler: only a
dict of float tensors is accepted, nothing in the file can run code.
"""

from __future__ import annotations

import io
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mediaarchive.errors import ModelError

__all__ = [
    "EMBEDDING_SIZE",
    "PARTIAL_FRAMES",
    "SAMPLE_RATE",
    "VoiceEncoder",
    "load_torch_state",
    "mel_spectrogram",
    "normalize_volume",
    "partial_slices",
    "speech_only",
]

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
#: Frames in one partial utterance (1.6 s), as the encoder was trained.
PARTIAL_FRAMES = 160
HIDDEN = 256
LAYERS = 3
EMBEDDING_SIZE = 256
#: Resemblyzer normalises quiet recordings up to this loudness before embedding.
TARGET_DBFS = -30.0
_INT16_MAX = 2**15 - 1


# --- front end -------------------------------------------------------------------------


def _hz_to_mel(freqs: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default, ``htk=False``): linear below 1 kHz, log above."""
    freqs = np.atleast_1d(np.asarray(freqs, dtype=np.float64)).copy()
    f_sp = 200.0 / 3
    mels = freqs / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    log_t = freqs >= min_log_hz
    mels[log_t] = min_log_mel + np.log(freqs[log_t] / min_log_hz) / logstep
    return mels


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    mels = np.atleast_1d(np.asarray(mels, dtype=np.float64)).copy()
    f_sp = 200.0 / 3
    freqs = f_sp * mels
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    log_t = mels >= min_log_mel
    freqs[log_t] = min_log_hz * np.exp(logstep * (mels[log_t] - min_log_mel))
    return freqs


def mel_filterbank(sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """Triangular mel filters, Slaney-normalised, as ``librosa.filters.mel`` builds them."""
    fft_freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_points = _mel_to_hz(np.linspace(_hz_to_mel(0.0)[0], _hz_to_mel(sr / 2.0)[0], n_mels + 2))
    fdiff = np.diff(mel_points)
    ramps = mel_points[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_points[2 : n_mels + 2] - mel_points[:n_mels]))[:, None]
    return weights.astype(np.float32)


_FILTERS = mel_filterbank()
# A periodic Hann window (scipy's ``get_window("hann", n, fftbins=True)``).
_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)


def mel_spectrogram(wav: np.ndarray) -> np.ndarray:
    """Mel power spectrogram (frames, 40) of 16 kHz audio; frame i is centred at i * 10 ms."""
    wav = np.asarray(wav, dtype=np.float32)
    padded = np.pad(wav, N_FFT // 2)  # librosa >= 0.10 pads centred frames with zeros
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(
        padded,
        shape=(n_frames, N_FFT),
        strides=(padded.strides[0] * HOP, padded.strides[0]),
        writeable=False,
    )
    power = np.abs(np.fft.rfft(frames * _WINDOW, axis=1)) ** 2
    return (power.astype(np.float32) @ _FILTERS.T).astype(np.float32)


def normalize_volume(wav: np.ndarray, target_dbfs: float = TARGET_DBFS) -> np.ndarray:
    """Raise a quiet recording to ``target_dbfs`` (never lowers one), as Resemblyzer does."""
    wav = np.asarray(wav, dtype=np.float32)
    rms = float(np.sqrt(np.mean((wav.astype(np.float64) * _INT16_MAX) ** 2))) if wav.size else 0
    if rms == 0.0:
        return wav
    change = target_dbfs - 20 * np.log10(rms / _INT16_MAX)
    if change < 0:
        return wav
    return (wav * (10 ** (change / 20))).astype(np.float32)


#: Silero VAD settings for keeping only speech (Resemblyzer's webrtcvad kept pauses <= 0.2 s).
SPEECH_VAD = {"min_silence_duration_ms": 300, "speech_pad_ms": 100}


def speech_only(wav: np.ndarray) -> np.ndarray:
    """The speech in 16 kHz audio, pauses cut out, by the Silero VAD the transcriber runs
    (in place of Resemblyzer's webrtcvad); all of it when the VAD finds none."""
    from mediaarchive.asr.coverage import speech_spans

    spans = speech_spans(np.asarray(wav, dtype=np.float32), 0.0, SPEECH_VAD)
    parts = [wav[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)] for a, b in spans]
    parts = [p for p in parts if len(p)]
    return np.concatenate(parts).astype(np.float32) if parts else np.asarray(wav, np.float32)


def partial_slices(
    n_samples: int, rate: float = 1.3, min_coverage: float = 0.75
) -> tuple[list[slice], list[slice]]:
    """Where Resemblyzer cuts an utterance into 1.6 s partials (wave and mel slices)."""
    samples_per_frame = HOP
    n_frames = int(np.ceil((n_samples + 1) / samples_per_frame))
    frame_step = int(np.round((SAMPLE_RATE / rate) / samples_per_frame))
    if not 0 < frame_step <= PARTIAL_FRAMES:
        raise ValueError(f"partial rate {rate} is out of range")
    wav_slices: list[slice] = []
    mel_slices: list[slice] = []
    steps = max(1, n_frames - PARTIAL_FRAMES + frame_step + 1)
    for i in range(0, steps, frame_step):
        mel_slices.append(slice(i, i + PARTIAL_FRAMES))
        wav_slices.append(slice(i * samples_per_frame, (i + PARTIAL_FRAMES) * samples_per_frame))
    last = wav_slices[-1]
    coverage = (n_samples - last.start) / (last.stop - last.start)
    if coverage < min_coverage and len(mel_slices) > 1:
        mel_slices, wav_slices = mel_slices[:-1], wav_slices[:-1]
    return wav_slices, mel_slices


# --- weights ---------------------------------------------------------------------------


@dataclass
class _Storage:
    key: str
    dtype: np.dtype
    numel: int
    data: np.ndarray | None = None


@dataclass
class _TensorRef:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]

    def array(self) -> np.ndarray:
        assert self.storage.data is not None
        base = self.storage.data[self.offset :]
        item = base.itemsize
        view = np.lib.stride_tricks.as_strided(
            base, shape=self.shape, strides=tuple(s * item for s in self.stride)
        )
        return np.array(view, copy=True)


_STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
}


def _rebuild_tensor(storage, offset, shape, stride, *_rest) -> _TensorRef:  # noqa: ANN001
    return _TensorRef(storage, int(offset), tuple(shape), tuple(stride))


class _StorageType:
    def __init__(self, name: str) -> None:
        self.dtype = _STORAGE_DTYPES[name]


class _RestrictedUnpickler(pickle.Unpickler):
    """Accepts only what a torch state dict of plain tensors needs; anything else fails."""

    def __init__(self, file: io.BufferedIOBase, storages: dict[str, _Storage]) -> None:
        super().__init__(file, encoding="latin1")
        self.storages = storages

    def find_class(self, module: str, name: str):  # noqa: ANN201
        if module == "collections" and name == "OrderedDict":
            from collections import OrderedDict

            return OrderedDict
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a weights file")

    def persistent_load(self, saved_id):  # noqa: ANN001, ANN201
        kind = saved_id[0].decode() if isinstance(saved_id[0], bytes) else saved_id[0]
        if kind != "storage":
            raise pickle.UnpicklingError(f"unexpected persistent id {kind!r}")
        storage_type, key, _location, numel = saved_id[1:5]
        if len(saved_id) > 5 and saved_id[5] is not None:
            raise pickle.UnpicklingError("storage views are not supported")
        key = str(key)
        if key not in self.storages:
            self.storages[key] = _Storage(key, storage_type.dtype, int(numel))
        return self.storages[key]


def load_torch_state(path: Path) -> dict[str, object]:
    """Read a legacy (pre-zip) ``torch.save`` file into nested dicts of numpy arrays.

    Raises:
        ModelError: the file is not such a file, or holds anything but plain tensors.
    """
    try:
        with open(path, "rb") as handle:
            pickle.load(handle)  # magic number  # noqa: S301 - plain ints
            pickle.load(handle)  # protocol version  # noqa: S301
            sys_info = _RestrictedUnpickler(handle, {}).load()
            if isinstance(sys_info, dict) and not sys_info.get("little_endian", True):
                raise ModelError(f"{path}: big-endian weights are not supported")
            storages: dict[str, _Storage] = {}
            result = _RestrictedUnpickler(handle, storages).load()
            keys = _RestrictedUnpickler(handle, {}).load()
            for key in keys:
                storage = storages[str(key)]
                (size,) = struct.unpack("<q", handle.read(8))
                nbytes = size * storage.dtype.itemsize
                raw = handle.read(nbytes)
                if len(raw) != nbytes:
                    raise ModelError(f"{path} is truncated (storage {key})")
                storage.data = np.frombuffer(raw, dtype=storage.dtype)
    except (pickle.UnpicklingError, EOFError, KeyError, ValueError, struct.error) as exc:
        raise ModelError(f"cannot read the voice encoder weights {path}: {exc}") from exc

    def materialise(obj: object) -> object:
        if isinstance(obj, _TensorRef):
            return obj.array()
        if isinstance(obj, dict):
            return {k: materialise(v) for k, v in obj.items()}
        return obj

    state = materialise(result)
    assert isinstance(state, dict)
    return state


# --- network ---------------------------------------------------------------------------


class VoiceEncoder:
    """Resemblyzer's encoder on numpy: mel partials in, L2-normalised 256-d embeddings out.

    Args:
        weights: the ``pretrained.pt`` file (``voice_weights.resolve_voice_encoder`` gives it).
    """

    def __init__(self, weights: Path) -> None:
        checkpoint = load_torch_state(Path(weights))
        state = checkpoint.get("model_state", checkpoint)
        assert isinstance(state, dict)
        try:
            self.layers = []
            for k in range(LAYERS):
                w_ih = np.asarray(state[f"lstm.weight_ih_l{k}"], dtype=np.float32)
                w_hh = np.asarray(state[f"lstm.weight_hh_l{k}"], dtype=np.float32)
                bias = np.asarray(state[f"lstm.bias_ih_l{k}"], dtype=np.float32) + np.asarray(
                    state[f"lstm.bias_hh_l{k}"], dtype=np.float32
                )
                # torch orders the gates i, f, g, o; i, f, o, g lets one sigmoid cover three.
                order = np.r_[0 : 2 * HIDDEN, 3 * HIDDEN : 4 * HIDDEN, 2 * HIDDEN : 3 * HIDDEN]
                self.layers.append((w_ih[order].T.copy(), w_hh[order].T.copy(), bias[order]))
            self.linear_w = np.asarray(state["linear.weight"], dtype=np.float32).T.copy()
            self.linear_b = np.asarray(state["linear.bias"], dtype=np.float32)
        except KeyError as exc:
            raise ModelError(f"{weights} is not a Resemblyzer voice encoder: no {exc}") from exc
        if self.linear_w.shape != (HIDDEN, EMBEDDING_SIZE):
            raise ModelError(f"{weights}: unexpected linear layer {self.linear_w.shape}")

    def embed_mels(self, mels: np.ndarray, batch: int = 64) -> np.ndarray:
        """Embeddings (n, 256) of mel partials (n, frames, 40), in batches to bound memory."""
        mels = np.asarray(mels, dtype=np.float32)
        if mels.ndim != 3 or mels.shape[2] != N_MELS:
            raise ValueError(f"expected mel partials (n, frames, {N_MELS}), got {mels.shape}")
        out = [self._forward(mels[i : i + batch]) for i in range(0, len(mels), batch)]
        return np.concatenate(out) if out else np.zeros((0, EMBEDDING_SIZE), np.float32)

    def _forward(self, mels: np.ndarray) -> np.ndarray:
        seq = mels.transpose(1, 0, 2)  # (time, batch, features)
        n_time, n_batch, _ = seq.shape
        hidden = np.zeros((n_batch, HIDDEN), np.float32)
        for w_ih, w_hh, bias in self.layers:
            # The input projection of all time steps at once; only the recurrence is serial.
            gates_in = (seq.reshape(n_time * n_batch, -1) @ w_ih + bias).reshape(
                n_time, n_batch, 4 * HIDDEN
            )
            hidden = np.zeros((n_batch, HIDDEN), np.float32)
            cell = np.zeros((n_batch, HIDDEN), np.float32)
            outputs = np.empty((n_time, n_batch, HIDDEN), np.float32)
            for t in range(n_time):
                gates = hidden @ w_hh
                gates += gates_in[t]
                # Columns were reordered to i, f, o | g at load: one sigmoid, one tanh, in place.
                sig = gates[:, : 3 * HIDDEN]
                sig *= 0.5
                np.tanh(sig, out=sig)
                sig *= 0.5
                sig += 0.5
                g = gates[:, 3 * HIDDEN :]
                np.tanh(g, out=g)
                cell *= sig[:, HIDDEN : 2 * HIDDEN]
                cell += sig[:, :HIDDEN] * g
                np.multiply(sig[:, 2 * HIDDEN :], np.tanh(cell), out=outputs[t])
                hidden = outputs[t]
            seq = outputs
        raw = np.maximum(hidden @ self.linear_w + self.linear_b, 0.0)
        norm = np.linalg.norm(raw, axis=1, keepdims=True)
        return (raw / np.maximum(norm, 1e-12)).astype(np.float32)

    def embed_utterance(
        self, wav: np.ndarray, rate: float = 1.3, min_coverage: float = 0.75
    ) -> np.ndarray:
        """One embedding for 16 kHz audio: the normalised mean of its 1.6 s partials."""
        return self.embed_utterances([wav], rate, min_coverage)[0]

    def embed_utterances(
        self, wavs: list[np.ndarray], rate: float = 1.3, min_coverage: float = 0.75
    ) -> np.ndarray:
        """``embed_utterance`` of each of several utterances, their partials run in one batch
        (the recurrence is serial in time, so one wide batch is far faster than many narrow)."""
        partials: list[np.ndarray] = []
        counts: list[int] = []
        for wav in wavs:
            wav = np.asarray(wav, dtype=np.float32)
            wav_slices, mel_slices = partial_slices(len(wav), rate, min_coverage)
            if wav_slices[-1].stop >= len(wav):
                wav = np.pad(wav, (0, wav_slices[-1].stop - len(wav)))
            mel = mel_spectrogram(wav)
            partials.extend(mel[s] for s in mel_slices)
            counts.append(len(mel_slices))
        if not partials:
            return np.zeros((0, EMBEDDING_SIZE), np.float32)
        embedded = self.embed_mels(np.stack(partials), batch=256)
        out = np.empty((len(counts), EMBEDDING_SIZE), np.float32)
        for k, chunk in enumerate(np.split(embedded, np.cumsum(counts)[:-1])):
            mean = chunk.mean(axis=0)
            out[k] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        return out
