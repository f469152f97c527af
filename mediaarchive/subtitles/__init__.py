"""Subtitles: readable cues from word timestamps, presets and their checker, SubRip/WebVTT/
plain text/JSON output, and reading existing human subtitles into a transcript.

``render_subtitles(session, asset, fmt, preset)`` is what the CLI, the web and the
"subtitles" step call.
"""

from __future__ import annotations

from mediaarchive.faces import lazy_face

__all__ = [
    "DEFAULT_PRESET",
    "FORMATS",
    "MIME_TYPES",
    "PRESETS",
    "Cue",
    "CueProblem",
    "Preset",
    "SubtitleFile",
    "TimedWord",
    "asset_cues",
    "build_cues",
    "check_cues",
    "check_subtitles",
    "current_transcript",
    "get_preset",
    "imported_transcript",
    "parse_subtitles",
    "read_subtitle_file",
    "render_subtitles",
    "segments_json",
    "to_srt",
    "to_text",
    "to_vtt",
    "transcript_document",
    "transcript_words",
]

#: Where each public name lives; its module is imported on first use.
_NAMES = {
    "DEFAULT_PRESET": "presets",
    "FORMATS": "formats",
    "MIME_TYPES": "formats",
    "PRESETS": "presets",
    "Cue": "cues",
    "CueProblem": "checker",
    "Preset": "presets",
    "SubtitleFile": "importer",
    "TimedWord": "words",
    "asset_cues": "render",
    "build_cues": "cues",
    "check_cues": "checker",
    "check_subtitles": "render",
    "current_transcript": "render",
    "get_preset": "presets",
    "imported_transcript": "importer",
    "parse_subtitles": "importer",
    "read_subtitle_file": "importer",
    "render_subtitles": "render",
    "segments_json": "render",
    "to_srt": "formats",
    "to_text": "formats",
    "to_vtt": "formats",
    "transcript_document": "render",
    "transcript_words": "render",
}

__getattr__, __dir__ = lazy_face(__name__, _NAMES)
