"""Subtitle presets: the limits the cue builder works to and the checker reports against."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from mediaarchive.errors import ConfigError


@dataclass(frozen=True)
class Preset:
    """Limits of one subtitle style.

    Attributes:
        name: what users select (``--preset``, the ``subtitle_preset`` setting, a pipeline
            file's ``preset`` parameter).
        max_lines: lines per cue.
        max_chars_per_line: characters per line.
        max_cps: reading speed in characters per second (all characters of the cue's lines,
            spaces included, line breaks not); a cue above it is reported.
        target_cps: the builder keeps a cue on screen long enough for this speed when the
            following silence allows it.
        min_duration: seconds a cue stays on screen at least.
        max_duration: seconds a cue stays on screen at most.
        min_gap: seconds between one cue's end and the next one's start.
        linger: seconds a cue stays after its last word has been spoken.
        description: one line for ``--help`` and reports.
    """

    name: str
    max_lines: int
    max_chars_per_line: int
    max_cps: float
    target_cps: float
    min_duration: float
    max_duration: float
    min_gap: float
    linger: float
    description: str

    @property
    def max_chars(self) -> int:
        """Characters a cue can hold at most."""
        return self.max_lines * self.max_chars_per_line

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            name="default",
            max_lines=2,
            max_chars_per_line=42,
            max_cps=17.0,
            target_cps=15.0,
            min_duration=1.0,
            max_duration=7.0,
            min_gap=0.08,
            linger=0.5,
            description="<= 2 lines of <= 42 characters, <= 17 characters/s, 1-7 s a cue",
        ),
        # The German public broadcasters' norm (ARD/ZDF/ORF/SRF subtitle standards): shorter
        # lines, 13-15 characters a second, at least two frames (80 ms at 25 fps) between cues.
        Preset(
            name="de-broadcast",
            max_lines=2,
            max_chars_per_line=37,
            max_cps=15.0,
            target_cps=13.0,
            min_duration=1.0,
            max_duration=7.0,
            min_gap=0.08,
            linger=0.5,
            description="German broadcast norm: <= 2 lines of <= 37 characters, "
            "13-15 characters/s, >= 1 s, >= 80 ms between cues",
        ),
    )
}

DEFAULT_PRESET = "default"


def get_preset(preset: str | Preset | None) -> Preset:
    """The preset of this name (``None``: the default one).

    Raises:
        ConfigError: no preset has that name.
    """
    if isinstance(preset, Preset):
        return preset
    name = (preset or DEFAULT_PRESET).strip()
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(PRESETS)
        raise ConfigError(f"unknown subtitle preset {name!r}: choose one of {known}") from None
