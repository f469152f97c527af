"""Speech recognition on the CPU with faster-whisper: the bundled model and its checksum
(``models``), decoding with VAD, word times and guards (``transcriber``, ``guards``), the
prompt and its echo (``prompt``), speech the words do not cover (``coverage``), the spoken
language (``language``), and the plain records it yields (``segments``).
faster_whisper and numpy load only when used."""

from __future__ import annotations

from mediaarchive.faces import lazy_face

__all__ = [
    "BUNDLED_MODEL",
    "MIN_AUDIO_SECONDS",
    "COMPUTE_TYPES",
    "DecodingOptions",
    "GuardOptions",
    "ModelInfo",
    "ResolvedModel",
    "SAMPLE_RATE",
    "SegmentGuard",
    "SpeechSegment",
    "SpeechWord",
    "Transcriber",
    "TranscriptionResult",
    "auto_compute_type",
    "build_prompt",
    "choose_compute_type",
    "cpu_flags",
    "get_transcriber",
    "install_model",
    "list_models",
    "load_audio",
    "normalise",
    "read_glossary",
    "resolve_model",
    "sha256_file",
    "verify_bundled",
    "split_segment",
    "uncovered_speech",
    "speech_spans",
    "Coverage",
    "LanguageDecision",
    "is_echo",
    "is_file_name",
]

#: Where each public name lives; its module is imported on first use.
_NAMES = {
    "BUNDLED_MODEL": "models",
    "MIN_AUDIO_SECONDS": "transcriber",
    "COMPUTE_TYPES": "transcriber",
    "DecodingOptions": "transcriber",
    "GuardOptions": "guards",
    "ModelInfo": "models",
    "ResolvedModel": "models",
    "SAMPLE_RATE": "transcriber",
    "SegmentGuard": "guards",
    "SpeechSegment": "segments",
    "SpeechWord": "segments",
    "Transcriber": "transcriber",
    "TranscriptionResult": "segments",
    "auto_compute_type": "transcriber",
    "build_prompt": "prompt",
    "choose_compute_type": "transcriber",
    "cpu_flags": "transcriber",
    "get_transcriber": "transcriber",
    "install_model": "models",
    "list_models": "models",
    "load_audio": "transcriber",
    "normalise": "guards",
    "read_glossary": "prompt",
    "resolve_model": "models",
    "sha256_file": "models",
    "verify_bundled": "models",
    "split_segment": "segments",
    "uncovered_speech": "coverage",
    "speech_spans": "coverage",
    "Coverage": "coverage",
    "LanguageDecision": "language",
    "is_echo": "prompt",
    "is_file_name": "prompt",
}

__getattr__, __dir__ = lazy_face(__name__, _NAMES)
