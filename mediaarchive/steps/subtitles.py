"""Step "subtitles": the current transcript as subtitle renditions (kind "subtitles").

Runs after "transcribe". Pipeline parameters: ``formats`` (labels of the renditions, default
vtt and srt) and ``preset`` (default: the ``subtitle_preset`` setting).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from mediaarchive.archive import Archive
from mediaarchive.db import Asset, Rendition
from mediaarchive.errors import ConfigError
from mediaarchive.steps.base import SkipStep, StepContext, save_rendition, step
from mediaarchive.subtitles import (
    FORMATS,
    MIME_TYPES,
    Preset,
    asset_cues,
    check_cues,
    get_preset,
    render_subtitles,
)

DEFAULT_FORMATS = ["vtt", "srt"]
#: The kind of the renditions this step writes.
RENDITION_KIND = "subtitles"


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
    write_subtitle_renditions(
        ctx.archive, ctx.session, ctx.asset, formats, preset, workdir=ctx.workdir
    )


def write_subtitle_renditions(
    archive: Archive,
    session: Session,
    asset: Asset,
    formats: Sequence[str],
    preset: str | Preset,
    *,
    workdir: Path | None = None,
) -> list[Rendition]:
    """Render the asset's current transcript in these formats and store each as its
    "subtitles" rendition (replacing the one of the same format).

    Raises:
        UserError: an unknown format or preset.
        NotFoundError: the asset has no current transcript.
    """
    chosen = get_preset(preset)
    transcript = asset.current_transcript
    cues = asset_cues(asset, chosen)  # built once for every format
    problems = len(check_cues(cues, chosen))
    saved: list[Rendition] = []
    with tempfile.TemporaryDirectory(prefix="subtitles-", dir=workdir) as tmp:
        for fmt in formats:
            text = render_subtitles(session, asset, fmt, chosen, cues=cues)
            path = Path(tmp) / f"{asset.short_id}.{fmt}"
            path.write_text(text, encoding="utf-8")
            saved.append(
                save_rendition(
                    archive,
                    session,
                    asset,
                    RENDITION_KIND,
                    path,
                    mime=MIME_TYPES[fmt],
                    label=fmt,
                    params={
                        "format": fmt,
                        "preset": chosen.name,
                        "transcript_id": transcript.id if transcript else None,
                        "problems": problems,
                    },
                )
            )
    return saved
