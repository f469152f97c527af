"""Subtitles: readable cues from word timestamps, presets and their checker, SubRip/WebVTT/
plain text/JSON output, and reading existing human subtitles into a transcript.

``render_subtitles(session, asset, fmt, preset)`` is what the CLI, the web and the
"subtitles" step call.
"""

from mediaarchive.subtitles.checker import CueProblem, check_cues
from mediaarchive.subtitles.cues import Cue, TimedWord, build_cues
from mediaarchive.subtitles.formats import FORMATS, MIME_TYPES, to_srt, to_text, to_vtt
from mediaarchive.subtitles.importer import (
    SubtitleFile,
    imported_transcript,
    parse_subtitles,
    read_subtitle_file,
)
from mediaarchive.subtitles.presets import DEFAULT_PRESET, PRESETS, Preset, get_preset
from mediaarchive.subtitles.render import (
    asset_cues,
    check_subtitles,
    current_transcript,
    render_subtitles,
    segments_json,
    transcript_document,
    transcript_words,
)

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
