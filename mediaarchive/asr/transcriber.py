"""Speech to text with faster-whisper on the CPU: one model per process, segments as produced.

The decoding strategy was chosen by measurement (``benchmarks/transcribe.py``): the
Silero-VAD-driven ``BatchedInferencePipeline`` with word timestamps, over windows of at most
the ``asr_window`` setting cut at the quietest moment (``audio.window_bounds``), so memory
stays flat for long talks and a resumed run starts exactly where the stored segments end.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from typing import Any

import numpy as np

from mediaarchive import profiling
from mediaarchive.asr.audio import give_back_memory, load_audio, window_bounds
from mediaarchive.asr.coverage import speech_spans, uncovered_speech
from mediaarchive.asr.encodings import (
    SharedEncodings,
    chunk_detector,
    pick_chunks,
    planned_chunks,
    whole_detector,
)
from mediaarchive.asr.guards import GuardOptions, SegmentGuard
from mediaarchive.asr.language import (
    LanguageDecision,
    decide_language,
)
from mediaarchive.asr.merging import MergedModel
from mediaarchive.asr.models import ResolvedModel, resolve_model
from mediaarchive.asr.prompt import build_prompt, is_echo, read_glossary
from mediaarchive.asr.segments import SpeechSegment, speech_pieces
from mediaarchive.config import Settings, cpu_count
from mediaarchive.errors import ConfigError, ModelError, TranscriptionError

__all__ = [
    "DecodingOptions",
    "Transcriber",
    "auto_compute_type",
    "build_prompt",
    "get_transcriber",
    "load_audio",
    "read_glossary",
]

SAMPLE_RATE = 16000
#: Temperatures the sequential decoder falls back to (faster-whisper's default).
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
#: More tokens per second of audio than anyone speaks (bounds a looping retry).
MAX_TOKENS_PER_SECOND = 8
#: Audio shorter than this is not decoded: too short to recognise a word reliably.
MIN_AUDIO_SECONDS = 0.5
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
    """int8 on every CPU (CTranslate2 runs it as int8_float32 where there is no VNNI).

    Settled by measurement on real speech (benchmarks/wer.py, all 374 clips of
    ``../shared/eval/de_speech``): the pipeline in int8 had the WER of plain faster-whisper
    (9.1 % both; EmoDB 9.1/9.1, the rest 9.5/9.5), in float32 it was worse (75 clips: 10.0 %
    against 8.9 %), and on a 2-core AVX2 machine without VNNI int8 was 2.5x faster than
    float32 for a 2-minute German talk. ``MEDIAARCHIVE_COMPUTE_TYPE=float32`` still chooses
    float32.
    """
    return "int8"


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
    #: A recording no longer than this (seconds) is decoded sequentially even when
    #: batching: one chunk has nothing to batch, and the sequential decoder keeps its
    #: timestamps and falls back to higher temperatures when a decode fails
    #: (``FALLBACK_TEMPERATURES``). Measured on the 374 real-speech clips (all 30 s or
    #: shorter): the batched decoder lost words there that plain decoding kept (see
    #: ``sequential_vad``). Only with ``vad_filter`` on: a short recording the VAD hears no
    #: speech in is not decoded. The windows of a longer recording are all batched, the
    #: last one too however short it is: decoded sequentially, a 28 s tail of a 2-minute
    #: talk took 8 s of temperature fallbacks, 40 % of the whole decode.
    sequential_up_to: float = 30.0
    #: Whether that sequential decode of a short window runs behind the VAD filter. Off, the
    #: decoder hears the whole window, as plain faster-whisper does (measured: the VAD cut
    #: word edges on short clips and heard no speech in a whispered one); text over silence
    #: or noise is still removed by the guards (``guards``), and the VAD still measures
    #: which speech the words cover.
    sequential_vad: bool = False

    def decodes_whole(self, audio: np.ndarray) -> bool:
        """True when ``audio`` is short enough to be decoded sequentially, whole
        (``sequential_up_to``)."""
        return len(audio) <= self.sequential_up_to * SAMPLE_RATE

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
            if self.initial_prompt:
                # The sequential decoder puts a space before the prompt, the batched one does
                # not: its first word is then encoded as a word part, which the decoder copies
                # and glues to the word before ("zum FünftenLabcamp").
                args["initial_prompt"] = " " + self.initial_prompt.strip()
        else:
            args["condition_on_previous_text"] = self.condition_on_previous_text
        return args

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_MODELS: dict[tuple[str, str, str, int, int], Any] = {}
_MODELS_LOCK = threading.Lock()


def model_workers(threads: int, cores: int) -> int:
    """CTranslate2 workers for a model whose calls use ``threads`` threads each: one per
    job that can run beside the others on ``cores`` (cores // threads). Job threads share
    one loaded model, and a model loaded with one worker runs every call of every job
    through it, one at a time: two 1-thread jobs on 2 cores decoded on one core (measured:
    a batch of 24 clips took 205 s with ``--jobs auto``, 171 s with one 2-thread job; with
    a worker per job 139 s)."""
    return max(1, cores // max(1, threads))


def _load_whisper(model: ResolvedModel, compute_type: str, threads: int, workers: int) -> Any:
    key = (str(model.path), model.sha256, compute_type, threads, workers)
    with _MODELS_LOCK:
        if key not in _MODELS:
            from faster_whisper import WhisperModel

            try:
                whisper = WhisperModel(
                    str(model.path),
                    device="cpu",
                    compute_type=compute_type,
                    cpu_threads=threads,
                    num_workers=workers,
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelError(
                    f"cannot load speech model {model.name} from {model.path}: {exc}"
                ) from exc
            whisper.encode = SharedEncodings(whisper.encode)  # see ``encodings``
            whisper.model = MergedModel(whisper.model, workers, threads=threads)  # ``merging``
            _MODELS[key] = whisper
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
        window: float,
        workers: int = 1,
    ) -> None:
        self.model = model
        self.compute_type = compute_type
        self.threads = threads
        self.window = window
        self.whisper = _load_whisper(model, compute_type, threads, workers)

    def provenance(self) -> dict[str, Any]:
        """Model, hash, compute type, threads and library versions."""
        return {
            "model": self.model.name,
            "model_path": str(self.model.path),
            "model_sha256": self.model.sha256,
            "model_source": self.model.source,
            # What CTranslate2 runs (int8 runs as int8_float32 on CPUs without VNNI).
            "compute_type": getattr(self.whisper.model, "compute_type", self.compute_type),
            "cpu_threads": self.threads,
            "window_seconds": self.window,
            "device": "cpu",
            "faster_whisper": version("faster-whisper"),
            "ctranslate2": version("ctranslate2"),
        }

    def detect_language(
        self, audio: np.ndarray, *, prior: str = "de", min_probability: float = 0.5
    ) -> LanguageDecision:
        """The language spoken in ``audio``: detected on windows spread through its speech;
        ``prior`` when the evidence is weaker than ``min_probability``."""
        with self.whisper.model.user():
            return self._detect_language(audio, prior, min_probability)

    def _detect_language(
        self, audio: np.ndarray, prior: str, min_probability: float
    ) -> LanguageDecision:
        # The speech, window by window (the VAD never sees a long talk whole).
        chunks = planned_chunks(audio, self.window, DecodingOptions().vad_parameters)
        if chunks and DecodingOptions().decodes_whole(audio):
            # Decoded whole and sequentially: detected on what the decoder encodes first,
            # which is handed the encoder's output (one encoder pass, not two).
            detect = whole_detector(self.whisper, np.asarray(audio[0 : len(audio)]))
            windows = [[(0.0, len(audio) / SAMPLE_RATE)]]
        else:
            # Detected on chunks the batched pipeline will encode, whose encoder outputs
            # are kept for it (one pass per chunk, not two); none without speech.
            picked = pick_chunks(chunks)
            detect = chunk_detector(self.whisper, audio, picked)
            windows = [[(chunk.start, chunk.end)] for chunk in picked]
        return decide_language(detect, windows, prior=prior, min_probability=min_probability)

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
        resumable. The returned guard's ``report()`` says what the guards removed, its
        ``coverage`` how much of the heard speech the words cover (complete once the
        generator is exhausted).
        """
        if options.language is None:
            raise TranscriptionError("transcribe needs a language: detect it first")
        start_sample = max(0, min(len(audio), int(round(offset * SAMPLE_RATE))))
        guard = SegmentGuard(audio, SAMPLE_RATE, guard_options or GuardOptions())
        total = len(audio) / SAMPLE_RATE
        segments = self._segments(audio, start_sample, options, guard, total, progress)
        return self._in_use(segments), guard

    def _in_use(self, segments: Iterator[SpeechSegment]) -> Iterator[SpeechSegment]:
        """``segments``, decoded as a user of the model: other jobs' calls join this job's
        (``merging``)."""
        with self.whisper.model.user():
            yield from segments

    def _segments(
        self,
        audio: np.ndarray,
        start_sample: int,
        options: DecodingOptions,
        guard: SegmentGuard,
        total: float,
        progress: ProgressFn | None,
    ) -> Iterator[SpeechSegment]:
        from faster_whisper import BatchedInferencePipeline

        began = time.monotonic()
        first = start_sample / SAMPLE_RATE
        if total - first < MIN_AUDIO_SECONDS:
            return  # Whisper makes up a word for a moment of sound ("Passt." for 0.3 s)
        pipeline = BatchedInferencePipeline(self.whisper) if options.batch_size > 0 else None
        short = options.decodes_whole(audio)
        for lo, hi in window_bounds(audio, start_sample, self.window):
            window = audio[lo:hi]
            base = lo / SAMPLE_RATE
            try:
                pieces, spans = self._decode_window(
                    window, base, hi / SAMPLE_RATE, options, pipeline, guard, short=short
                )
            except (RuntimeError, ValueError) as exc:
                raise TranscriptionError(
                    f"speech recognition failed at {base:.1f} s: {exc}"
                ) from exc
            kept_here: list[SpeechSegment] = []
            for segment in pieces:
                with profiling.phase("guards"):
                    kept = guard.check(segment)
                if progress is not None:
                    done = min(segment.end, total)
                    progress(done, total, (time.monotonic() - began) / max(done - first, 1e-6))
                if kept is not None:
                    kept_here.append(kept)
                    yield kept
            if spans is not None:
                guard.coverage.add(spans, kept_here)
            give_back_memory()  # the window's decoder temporaries
            if progress is not None:
                done = hi / SAMPLE_RATE
                progress(done, total, (time.monotonic() - began) / max(done - first, 1e-6))

    def _decode_window(
        self,
        window: np.ndarray,
        base: float,
        limit: float,
        options: DecodingOptions,
        pipeline: Any,
        guard: SegmentGuard,
        *,
        short: bool,
    ) -> tuple[list[SpeechSegment], list[tuple[float, float]] | None]:
        """Segments of one window in time order, and the speech the VAD heard in it
        (``short``: the window is a whole recording of at most ``sequential_up_to``).

        A segment that is the prompt given back is dropped. Speech (per the VAD) that no
        recognised word covers is decoded again without the prompt, and what is still
        uncovered then with the plain sequential decoder, stretch by stretch.
        """
        kwargs = options.kwargs()
        measure = options.vad_filter and options.word_timestamps
        spans = speech_spans(window, base, options.vad_parameters) if measure else None
        short_path = measure and short
        if pipeline is not None and not short_path:
            raw, _ = pipeline.transcribe(window, **kwargs)
        elif pipeline is not None:
            if not spans:
                # The VAD heard no speech: nothing to decode, as on the batched path, which
                # decodes only what the VAD hears. (Decoded anyway, 20 s of noise, hum or
                # beeps came out as confident German sentences, after 5-45 s of fallbacks.)
                return [], spans
            short = {k: v for k, v in kwargs.items() if k != "batch_size"}
            short.update(
                without_timestamps=False,
                temperature=FALLBACK_TEMPERATURES,
                condition_on_previous_text=False,
                initial_prompt=options.initial_prompt,
            )
            if not options.sequential_vad:
                short["vad_filter"] = False
            raw, _ = self.whisper.transcribe(window, **short)
        else:
            raw, _ = self.whisper.transcribe(window, **kwargs)
        segments = []
        for segment in speech_pieces(raw, base, limit):
            if is_echo(segment.text, options.initial_prompt):
                guard.drop(segment, "prompt_echo")
            else:
                segments.append(segment)
        if spans is None:
            return segments, None
        gaps = uncovered_speech(spans, segments)
        if gaps:
            from faster_whisper import BatchedInferencePipeline

            retry_kwargs = {
                k: v
                for k, v in kwargs.items()
                if k not in ("vad_filter", "vad_parameters", "condition_on_previous_text")
            }
            retry_kwargs.update(initial_prompt=None, hotwords=None)
            retry_kwargs.setdefault("batch_size", max(1, options.batch_size))
            clips = [{"start": a - base, "end": b - base} for a, b in gaps]
            raw, _ = (pipeline or BatchedInferencePipeline(self.whisper)).transcribe(
                window, clip_timestamps=clips, **retry_kwargs
            )
            extra = [p for p in speech_pieces(raw, base, limit) if p.words]
            guard.coverage.retried.append(
                {"how": "without_prompt", "ranges": gaps, "segments": len(extra)}
            )
            segments = sorted([*segments, *extra], key=lambda s: s.start)
            gaps = uncovered_speech(spans, segments)
        if gaps:
            extra = []
            for a, b in gaps:
                piece = window[int((a - base) * SAMPLE_RATE) : int((b - base) * SAMPLE_RATE)]
                raw, _ = self.whisper.transcribe(
                    piece,
                    language=options.language,
                    beam_size=options.beam_size,
                    best_of=1,
                    word_timestamps=True,
                    vad_filter=False,
                    condition_on_previous_text=False,
                    # A loop cannot run away: speech has far fewer tokens than this.
                    max_new_tokens=min(440, int((b - a) * MAX_TOKENS_PER_SECOND) + 16),
                )
                extra.extend(p for p in speech_pieces(raw, a, b) if p.words)
            guard.coverage.retried.append(
                {"how": "sequential", "ranges": gaps, "segments": len(extra)}
            )
            segments = sorted([*segments, *extra], key=lambda s: s.start)
        return segments, spans


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
    catastrophically slow in measurements). The model runs as many calls at once as jobs
    of ``threads`` fit on the cores (``model_workers``).
    """
    resolved = _resolve_while_importing(settings, model)
    compute_type = choose_compute_type(settings.compute_type)
    budget = max(1, min(threads or settings.total_threads, cpu_count()))
    cores = max(budget, min(settings.total_threads, cpu_count()))
    return Transcriber(
        resolved,
        compute_type=compute_type,
        threads=budget,
        window=float(settings.asr_window),
        workers=model_workers(budget, cores),
    )


def _resolve_while_importing(settings: Settings, model: str | None) -> ResolvedModel:
    """``resolve_model`` (which hashes the model file once per process: 0.1 s for base,
    outside the GIL) in a helper thread while this one imports faster-whisper (0.13 s),
    the two being the first half of a short talk's model warm-up."""
    if "faster_whisper" in sys.modules:
        return resolve_model(settings, model)
    outcome: list[ResolvedModel | BaseException] = []

    def resolve() -> None:
        try:
            outcome.append(resolve_model(settings, model))
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            outcome.append(exc)

    helper = threading.Thread(target=resolve, name="mediaarchive-model-hash", daemon=True)
    helper.start()
    import faster_whisper  # noqa: F401, PLC0415 - the import this thread does meanwhile

    helper.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]
