"""Demo stage: the keynote's subtitles to the broadcast norm, and the event as a BagIt bag."""

from __future__ import annotations

from mediaarchive import services
from mediaarchive.demo.base import DemoContext

PRESET = "de-broadcast"
SHOWN_CUES = 4


def show_subtitles(ctx: DemoContext) -> None:
    """Subtitles of the keynote (German broadcast norm) and the event exported as a bag"""
    # A whole sha256 is an asset id too (any prefix of at least 6 hex digits is).
    ingested = dict.fromkeys(result.sha256 for result in ctx.results if result.sha256)
    talks = [
        transcript
        for transcript in (
            services.transcripts.current_transcript(ctx.archive, sha256) for sha256 in ingested
        )
        if transcript is not None
    ]
    if not talks:
        ctx.say("No transcript yet: 'mediaarchive run' transcribes the keynote first.")
        return
    folder = ctx.archive.settings.home / "demo-output"
    folder.mkdir(parents=True, exist_ok=True)
    event = ctx.event
    for talk in talks:
        event = event or talk.event
        target = folder / f"{talk.asset_id}.de.vtt"
        rendered = services.subtitles.render(ctx.archive, talk.asset_id, "vtt", PRESET)
        target.write_text(rendered.text, encoding="utf-8")
        report = services.subtitles.check(ctx.archive, talk.asset_id, PRESET)
        cues = report.cues
        ctx.say(f"mediaarchive subtitles {talk.asset_id} --preset {PRESET} -o {target}")
        for cue in cues[:SHOWN_CUES]:
            ctx.say(f"  {cue.start:7.2f}-{cue.end:7.2f}  {' / '.join(cue.lines)}")
        if len(cues) > SHOWN_CUES:
            ctx.say(f"  … {len(cues) - SHOWN_CUES} more cues")
        ctx.say(_check_line(report))
    if event:
        bag = folder / "export-bag"
        if not bag.exists():
            result = services.export.export_event(ctx.archive, event, str(bag))
            ctx.say(f'mediaarchive export --event "{event}" --to {bag}')
            ctx.say(
                f"  BagIt bag: {result.assets} assets, {result.files} files, "
                f"{result.bytes / 1e6:.1f} MB, sha256 and sha512 manifests"
            )


def _check_line(report: services.subtitles.SubtitleCheck) -> str:
    """The check's outcome; where a cue cannot keep to the preset because the speech in it
    is faster than the preset's reading speed, it says so."""
    cues, problems, preset = report.cues, report.problems, report.preset
    if not problems:
        return f"  --check: all {len(cues)} cues keep to {preset.name}"
    fast: list[float] = []
    other = []
    for problem in problems:
        cue = cues[problem.index - 1]
        spoken = cue.speech_end - cue.speech_start
        rate = cue.chars / spoken if spoken > 0 else 0.0
        if rate > preset.max_cps:
            fast.append(rate)
        else:
            other.append(problem)
    line = f"  --check: {len(problems)} of {len(cues)} cues break {preset.name}"
    if fast:
        line += (
            f"; {len(fast)} cannot keep to it: the speech in them runs at up to "
            f"{max(fast):.0f} characters/s, faster than the preset's reading speed "
            f"(max {preset.max_cps:g}/s), and a cue cannot stay past the next one"
        )
    if other:
        line += f" (first other: {'; '.join(other[0].reasons)})"
    return line
