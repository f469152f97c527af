"""Speech to text with faster-whisper on the CPU: one model per process, segments as produced.

The decoding strategy was chosen by measurement (``benchmarks/transcribe.py``): the
Silero-VAD-driven ``BatchedInferencePipeline`` with word timestamps, over windows of at most
``WINDOW_SECONDS`` cut at the quietest moment, so memory stays flat for long talks and a
resumed run starts exactly where the stored segments end.
"""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from mediaarchive.asr.guards import GuardOptions, SegmentGuard, normalise
from mediaarchive.asr.models import ResolvedModel, resolve_model
from mediaarchive.asr.segments import SpeechSegment, SpeechWord
from mediaarchive.config import Settings, cpu_count
from mediaarchive.errors import ConfigError, ModelError, TranscriptionError

__all__ = [
    "DecodingOptions",
    "Transcriber",
    "auto_compute_type",
    "build_prompt",
    "get_transcriber",
    "load_audio",
]

SAMPLE_RATE = 16000
#: Longest stretch handed to the decoder at once (bounds memory; cut at a pause).
WINDOW_SECONDS = 300.0
#: How far before a window's end to look for the quietest moment to cut at.
CUT_SEARCH_SECONDS = 60.0
COMPUTE_TYPES = (
    "auto",
    "int8",
    "int8_float32",
    "int16",
    "float32",
    "float16",
    "bfloat16",
    "int8_bfloat16",
    "default",
)


def cpu_flags() -> set[str]:
    """The CPU's feature flags from /proc/cpuinfo (empty when unreadable)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def auto_compute_type() -> str:
    """int8 where the CPU has VNNI (int8 dot products), else float32.

    Measured on this project's machines: without VNNI, int8 is slower than float32; with
    AVX-512 VNNI int8 wins (see the benchmark tables in the issue notes).
    """
    flags = cpu_flags()
    return "int8" if {"avx512_vnni", "avx_vnni"} & flags else "float32"


@dataclass(frozen=True)
class DecodingOptions:
    """Every option handed to faster-whisper (recorded verbatim in the provenance).

    ``language`` None means detect. ``batch_size`` 0 decodes sequentially (plain
    ``WhisperModel.transcribe``) instead of with the batched pipeline.
    """

    language: str | None = "de"
    beam_size: int = 5
    batch_size: int = 8
    word_timestamps: bool = True
    vad_filter: bool = True
    vad_parameters: dict[str, Any] = field(
        default_factory=lambda: {"min_silence_duration_ms": 500, "speech_pad_ms": 400}
    )
    #: Batched decoding without timestamp tokens: with them the batched decoder drops the
    #: text after a chunk's last timestamp (measured: whole sentences lost). Segments are
    #: split at sentence ends and pauses from the word times instead.
    without_timestamps: bool = True
    condition_on_previous_text: bool = False
    temperature: float = 0.0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    initial_prompt: str | None = None
    hotwords: str | None = None

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``transcribe`` for this strategy."""
        args: dict[str, Any] = {
            "language": self.language,
            "beam_size": self.beam_size,
            "word_timestamps": self.word_timestamps,
            "vad_filter": self.vad_filter,
            "vad_parameters": dict(self.vad_parameters),
            "without_timestamps": self.without_timestamps,
            "temperature": self.temperature,
            "repetition_penalty": self.repetition_penalty,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "initial_prompt": self.initial_prompt,
            "hotwords": self.hotwords,
        }
        if self.batch_size > 0:
            args["batch_size"] = self.batch_size
        else:
            args["condition_on_previous_text"] = self.condition_on_previous_text
        return args

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def build_prompt(
    *,
    event: str | None = None,
    title: str | None = None,
    speakers: list[str] | None = None,
    glossary: list[str] | None = None,
) -> tuple[str | None, str | None]:
    """The initial prompt and hotwords for an asset's metadata and glossary terms.

    Whisper continues the style of its prompt, so the prompt is written like the speech it
    should produce: short German sentences with the names spelled right. Measured on
    generated talks, glossary terms written into the prompt came out right more often than
    the same terms given as hotwords, so hotwords stay unset (None) here.
    """
    parts = []
    if event:
        parts.append(f"{event.strip().rstrip('.')}.")
    if title:
        parts.append(f"{title.strip().rstrip('.')}.")
    names = [s.strip() for s in speakers or [] if s and s.strip()]
    if names:
        parts.append(f"Mit {', '.join(names)}.")
    terms = list(dict.fromkeys(t.strip() for t in glossary or [] if t and t.strip()))
    if terms:
        parts.append(f"{', '.join(terms)}.")
    return " ".join(parts) or None, None


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


def load_audio(path: Path) -> np.ndarray:
    """16 kHz mono float32 samples; 16-bit WAV is read directly, anything else via PyAV."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as wav:
            if (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (SAMPLE_RATE, 1, 2):
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


def window_bounds(
    audio: np.ndarray, start: int = 0, seconds: float = WINDOW_SECONDS
) -> Iterator[tuple[int, int]]:
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


_MODELS: dict[tuple[str, str, str, int], Any] = {}
_MODELS_LOCK = threading.Lock()


def _load_whisper(model: ResolvedModel, compute_type: str, threads: int) -> Any:
    key = (str(model.path), model.sha256, compute_type, threads)
    with _MODELS_LOCK:
        if key not in _MODELS:
            from faster_whisper import WhisperModel

            try:
                _MODELS[key] = WhisperModel(
                    str(model.path), device="cpu", compute_type=compute_type, cpu_threads=threads
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelError(
                    f"cannot load speech model {model.name} from {model.path}: {exc}"
                ) from exc
        return _MODELS[key]


#: Called with (seconds of audio done, seconds in all, real-time factor so far).
ProgressFn = Callable[[float, float, float], None]


class Transcriber:
    """A loaded model plus how it decodes. Build with ``get_transcriber`` (cached)."""

    def __init__(
        self,
        model: ResolvedModel,
        *,
        compute_type: str,
        threads: int,
        window: float = WINDOW_SECONDS,
    ) -> None:
        self.model = model
        self.compute_type = compute_type
        self.threads = threads
        self.window = window
        self.whisper = _load_whisper(model, compute_type, threads)

    def provenance(self) -> dict[str, Any]:
        """Model, hash, compute type, threads and library versions."""
        return {
            "model": self.model.name,
            "model_path": str(self.model.path),
            "model_sha256": self.model.sha256,
            "model_source": self.model.source,
            "compute_type": self.compute_type,
            "cpu_threads": self.threads,
            "window_seconds": self.window,
            "device": "cpu",
            "faster_whisper": version("faster-whisper"),
            "ctranslate2": version("ctranslate2"),
        }

    def detect_language(self, audio: np.ndarray) -> tuple[str, float]:
        """The language spoken in the first speech of ``audio`` and its probability."""
        try:
            language, probability, _ = self.whisper.detect_language(
                audio, vad_filter=True, language_detection_segments=1
            )
        except Exception as exc:  # CTranslate2/ONNX raise plain RuntimeErrors
            raise TranscriptionError(f"language detection failed: {exc}") from exc
        return language, float(probability)

    def transcribe(
        self,
        audio: np.ndarray,
        options: DecodingOptions,
        *,
        offset: float = 0.0,
        guard_options: GuardOptions | None = None,
        progress: ProgressFn | None = None,
    ) -> tuple[Iterator[SpeechSegment], SegmentGuard]:
        """Segments of ``audio`` from ``offset`` seconds on, guarded, with absolute times.

        The generator decodes lazily: store each segment as it comes to make the run
        resumable. The returned guard's ``report()`` says what the guards removed.
        """
        if options.language is None:
            raise TranscriptionError("transcribe needs a language: detect it first")
        start_sample = max(0, min(len(audio), int(round(offset * SAMPLE_RATE))))
        guard = SegmentGuard(audio, SAMPLE_RATE, guard_options or GuardOptions())
        total = len(audio) / SAMPLE_RATE
        prompt_norm = normalise(" ".join(filter(None, [options.initial_prompt, options.hotwords])))
        return self._segments(
            audio, start_sample, options, guard, total, prompt_norm, progress
        ), guard

    def _segments(
        self,
        audio: np.ndarray,
        start_sample: int,
        options: DecodingOptions,
        guard: SegmentGuard,
        total: float,
        prompt_norm: str,
        progress: ProgressFn | None,
    ) -> Iterator[SpeechSegment]:
        from faster_whisper import BatchedInferencePipeline

        began = time.monotonic()
        first = start_sample / SAMPLE_RATE
        pipeline = BatchedInferencePipeline(self.whisper) if options.batch_size > 0 else None
        for lo, hi in window_bounds(audio, start_sample, self.window):
            window = audio[lo:hi]
            base = lo / SAMPLE_RATE
            try:
                pieces = self._decode_window(window, base, hi / SAMPLE_RATE, options, pipeline)
            except (RuntimeError, ValueError) as exc:
                raise TranscriptionError(
                    f"speech recognition failed at {base:.1f} s: {exc}"
                ) from exc
            for segment in pieces:
                norm = normalise(segment.text)
                if prompt_norm and len(norm.split()) >= 3 and norm in prompt_norm:
                    guard.dropped.append(
                        {
                            "guard": "prompt_echo",
                            "start": segment.start,
                            "end": segment.end,
                            "text": segment.text,
                        }
                    )
                    continue
                kept = guard.check(segment)
                if progress is not None:
                    done = min(segment.end, total)
                    progress(done, total, (time.monotonic() - began) / max(done - first, 1e-6))
                if kept is not None:
                    yield kept
            if progress is not None:
                done = hi / SAMPLE_RATE
                progress(done, total, (time.monotonic() - began) / max(done - first, 1e-6))

    def _decode_window(
        self, window: np.ndarray, base: float, limit: float, options: DecodingOptions, pipeline: Any
    ) -> list[SpeechSegment]:
        """Segments of one window in time order, with stretches the decoder skipped redone.

        Decoding a 30 s chunk in one go, Whisper sometimes ends early and silently drops
        the rest of the chunk. Speech (per the VAD) that no recognised word covers is
        decoded again on its own.
        """
        kwargs = options.kwargs()
        if pipeline is not None:
            raw, _ = pipeline.transcribe(window, **kwargs)
        else:
            raw, _ = self.whisper.transcribe(window, **kwargs)
        segments = [piece for item in raw for piece in split_segment(_convert(item, base, limit))]
        if options.vad_filter and options.word_timestamps:
            gaps = uncovered_speech(window, segments, base, options.vad_parameters)
            if gaps:
                clips = [{"start": start - base, "end": end - base} for start, end in gaps]
                retry_kwargs = {
                    k: v for k, v in kwargs.items() if k not in ("vad_filter", "vad_parameters")
                }
                from faster_whisper import BatchedInferencePipeline

                retry = pipeline or BatchedInferencePipeline(self.whisper)
                if "batch_size" not in retry_kwargs:
                    retry_kwargs = {
                        k: v for k, v in retry_kwargs.items() if k != "condition_on_previous_text"
                    }
                raw, _ = retry.transcribe(window, clip_timestamps=clips, **retry_kwargs)
                extra = [
                    piece
                    for item in raw
                    for piece in split_segment(_convert(item, base, limit))
                    if piece.words
                ]
                segments = sorted([*segments, *extra], key=lambda s: s.start)
        return segments


#: Speech no word covers for at least this long is decoded again.
MIN_UNCOVERED_SECONDS = 1.5


def uncovered_speech(
    window: np.ndarray, segments: list[SpeechSegment], base: float, vad_parameters: dict[str, Any]
) -> list[tuple[float, float]]:
    """Stretches (absolute seconds, each <= 30 s) the VAD calls speech but no word covers."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(**{**vad_parameters, "max_speech_duration_s": 30})
    covered = sorted((w.start - 0.3, w.end + 0.3) for s in segments for w in s.words)
    gaps: list[tuple[float, float]] = []
    for span in get_speech_timestamps(window, vad):
        start, end = base + span["start"] / SAMPLE_RATE, base + span["end"] / SAMPLE_RATE
        cursor = start
        for w_start, w_end in covered:
            if w_end <= cursor or w_start >= end:
                continue
            if w_start - cursor >= MIN_UNCOVERED_SECONDS:
                gaps.append((cursor, w_start))
            cursor = max(cursor, w_end)
        if end - cursor >= MIN_UNCOVERED_SECONDS:
            gaps.append((cursor, end))
    return [(round(a, 3), round(min(b, a + 30.0), 3)) for a, b in gaps]


def _convert(item: Any, base: float, limit: float) -> SpeechSegment:
    words = tuple(
        SpeechWord(
            start=round(base + w.start, 3),
            end=round(min(base + w.end, limit), 3),
            word=w.word,
            probability=round(float(w.probability), 4),
        )
        for w in (item.words or [])
    )
    start = round(base + item.start, 3)
    end = round(min(base + item.end, limit), 3)
    if words:
        start, end = min(start, words[0].start), max(words[-1].end, start)
    return SpeechSegment(
        start=start,
        end=end,
        text=item.text.strip(),
        words=words,
        avg_logprob=float(item.avg_logprob),
        no_speech_prob=float(item.no_speech_prob),
        compression_ratio=float(item.compression_ratio),
    )


#: A segment is split after a sentence end once it is this long (seconds)...
SPLIT_MIN_SECONDS = 1.0
#: ...at any pause at least this long...
SPLIT_PAUSE_SECONDS = 0.8
#: ...and at a clause or, failing that, any word once it grows past this.
SPLIT_MAX_SECONDS = 12.0


def split_segment(segment: SpeechSegment) -> list[SpeechSegment]:
    """Sentence-sized pieces of a (up to 30 s) segment, cut between words.

    Cut after a sentence end, at a pause, or when a piece gets too long (preferring a
    comma), so subtitles and search deep links point at the right moment.
    """
    words = segment.words
    if len(words) < 2:
        return [segment]
    pieces: list[SpeechSegment] = []
    begin = 0
    for i in range(len(words) - 1):
        current = words[begin : i + 1]
        length = words[i].end - current[0].start
        ends_sentence = words[i].word.rstrip().endswith((".", "?", "!"))
        pause = words[i + 1].start - words[i].end >= SPLIT_PAUSE_SECONDS
        too_long = length >= SPLIT_MAX_SECONDS and (
            words[i].word.rstrip().endswith((",", ";", ":")) or length >= SPLIT_MAX_SECONDS * 1.5
        )
        if pause or too_long or (ends_sentence and length >= SPLIT_MIN_SECONDS):
            pieces.append(segment.with_words(current))
            begin = i + 1
    pieces.append(segment.with_words(words[begin:]))
    return pieces


def choose_compute_type(setting: str) -> str:
    """The compute type for a setting: ``auto`` picks by CPU; others are checked."""
    if setting == "auto":
        return auto_compute_type()
    if setting not in COMPUTE_TYPES:
        raise ConfigError(f"compute type {setting!r} is not one of {', '.join(COMPUTE_TYPES)}")
    return setting


def get_transcriber(
    settings: Settings, model: str | None = None, *, threads: int | None = None
) -> Transcriber:
    """The process's transcriber for ``model``: the model is loaded once and reused.

    ``threads`` is the caller's budget; never more than the cores (oversubscribing was
    catastrophically slow in measurements).
    """
    resolved = resolve_model(settings, model)
    compute_type = choose_compute_type(settings.compute_type)
    budget = max(1, min(threads or settings.total_threads, cpu_count()))
    return Transcriber(
        resolved, compute_type=compute_type, threads=budget, window=float(settings.asr_window)
    )
