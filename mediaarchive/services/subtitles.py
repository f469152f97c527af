"""Subtitles of an asset: its current transcript rendered in a format and preset, and the
check of its cues against the preset (``mediaarchive subtitles``, the demo, the web)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mediaarchive import subtitles as _subtitles
from mediaarchive.subtitles import FORMATS, PRESETS, Cue, CueProblem, Preset, get_preset

if TYPE_CHECKING:
    from mediaarchive.archive import Archive

__all__ = [
    "FORMATS",
    "PRESETS",
    "Cue",
    "CueProblem",
    "Preset",
    "RenderedSubtitles",
    "SubtitleCheck",
    "check",
    "choose_preset",
    "render",
]


@dataclass
class RenderedSubtitles:
    """An asset's current transcript as one subtitle or transcript file."""

    asset_id: str
    format: str
    preset: Preset
    text: str


@dataclass
class SubtitleCheck:
    """An asset's cues in a preset, and those that break it (with why)."""

    asset_id: str
    preset: Preset
    cues: list[Cue]
    problems: list[CueProblem]

    def to_json(self) -> dict[str, Any]:
        """``subtitles --check --json``: the preset and the problems with their reasons."""
        return {
            "asset_id": self.asset_id,
            "preset": self.preset.to_json(),
            "problems": [problem.to_json() for problem in self.problems],
        }


def choose_preset(archive: Archive, preset: str | Preset | None = None) -> Preset:
    """The preset asked for, else the ``subtitle_preset`` setting.

    Raises:
        UserError: an unknown preset.
    """
    return get_preset(preset or archive.settings.subtitle_preset)


def render(
    archive: Archive, asset_id: str, fmt: str = "vtt", preset: str | Preset | None = None
) -> RenderedSubtitles:
    """The asset's current transcript as ``vtt``, ``srt``, ``txt`` or ``json``.

    Raises:
        NotFoundError: no such asset, or it has no transcript (the message says how to
            get one).
        UserError: an unknown format or preset.
    """
    chosen = choose_preset(archive, preset)
    with archive.session() as session:
        asset = _find_asset(session, asset_id)
        text = _subtitles.render_subtitles(session, asset, fmt, chosen)
        return RenderedSubtitles(asset.short_id, fmt.lower(), chosen, text)


def check(archive: Archive, asset_id: str, preset: str | Preset | None = None) -> SubtitleCheck:
    """The asset's cues built to the preset, and every cue that breaks it.

    Raises:
        NotFoundError: no such asset, or it has no transcript.
        UserError: an unknown preset.
    """
    chosen = choose_preset(archive, preset)
    with archive.session() as session:
        asset = _find_asset(session, asset_id)
        cues = _subtitles.asset_cues(asset, chosen)
        return SubtitleCheck(asset.short_id, chosen, cues, _subtitles.check_cues(cues, chosen))


def _find_asset(session: Any, asset_id: str) -> Any:
    # The archive (and SQLAlchemy with it) loads when subtitles are made, not when the CLI
    # only needs the format and preset names.
    from mediaarchive.archive import find_asset

    return find_asset(session, asset_id)
