"""Media with ffmpeg: what a file holds (``probe``: streams, duration, display size with
rotation and pixel aspect) and what is made from it (``transcode``: speech audio, the web
proxy, a poster, thumbnails)."""

from __future__ import annotations

from mediaarchive.faces import lazy_face

__all__ = [
    "ProxyOptions",
    "SPEECH_SAMPLE_RATE",
    "audio_stream",
    "choose_poster_time",
    "display_size",
    "extract_speech_audio",
    "fit_within",
    "frame_stats",
    "last_meaningful_line",
    "make_poster",
    "make_proxy",
    "make_thumbnail",
    "pixel_aspect",
    "probe_file",
    "run_command",
    "run_ffmpeg",
    "summarise",
    "video_stream",
]

#: Where each public name lives; its module is imported on first use.
_NAMES = {
    "ProxyOptions": "transcode",
    "SPEECH_SAMPLE_RATE": "transcode",
    "audio_stream": "probe",
    "choose_poster_time": "transcode",
    "display_size": "probe",
    "extract_speech_audio": "transcode",
    "fit_within": "transcode",
    "frame_stats": "transcode",
    "last_meaningful_line": "probe",
    "make_poster": "transcode",
    "make_proxy": "transcode",
    "make_thumbnail": "transcode",
    "pixel_aspect": "probe",
    "probe_file": "probe",
    "run_command": "transcode",
    "run_ffmpeg": "transcode",
    "summarise": "probe",
    "video_stream": "probe",
}

__getattr__, __dir__ = lazy_face(__name__, _NAMES)
