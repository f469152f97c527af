"""Step "subtitles": the current transcript as subtitle renditions (kind "subtitles").

Runs after "transcribe". Pipeline parameters: ``formats`` (labels of the renditions, default
vtt and srt) and ``preset`` (default: the ``subtitle_preset`` setting).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from mediaarchive.errors import ConfigError
from mediaarchive.steps.base import SkipStep, StepContext, step
from mediaarchive.subtitles import FORMATS, MIME_TYPES, check_cues, get_preset, render_subtitles
from mediaarchive.subtitles.render import asset_cues

DEFAULT_FORMATS = ["vtt", "srt"]


@step(
    "subtitles",
    kinds=("video", "audio"),
    params={"formats": DEFAULT_FORMATS, "preset": None},
    description="Write the current transcript as subtitle files (WebVTT, SubRip).",
)
def make_subtitles(ctx: StepContext) -> None:
    formats = ctx.params.get("formats") or DEFAULT_FORMATS
    if isinstance(formats, str):
        formats = [part.strip() for part in formats.split(",") if part.strip()]
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise ConfigError(
            f"subtitles step: unknown format(s) {', '.join(unknown)}; "
            f"choose from {', '.join(FORMATS)}"
        )
    preset = get_preset(ctx.params.get("preset") or ctx.archive.settings.subtitle_preset)
    transcript = ctx.asset.current_transcript
    if transcript is None:
        raise SkipStep("no transcript to make subtitles from (not transcribed)")
    if not transcript.segments:
        raise SkipStep("the transcript holds no speech: no subtitles to make")
    problems = len(check_cues(asset_cues(ctx.asset, preset), preset))
    with tempfile.TemporaryDirectory(prefix="subtitles-", dir=ctx.workdir) as tmp:
        for fmt in formats:
            text = render_subtitles(ctx.session, ctx.asset, fmt, preset)
            path = Path(tmp) / f"{ctx.asset.short_id}.{fmt}"
            path.write_text(text, encoding="utf-8")
            ctx.save_rendition(
                "subtitles",
                path,
                mime=MIME_TYPES[fmt],
                label=fmt,
                params={
                    "format": fmt,
                    "preset": preset.name,
                    "transcript_id": ctx.asset.current_transcript.id,
                    "problems": problems,
                },
            )
