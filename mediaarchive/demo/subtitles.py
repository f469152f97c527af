"""Demo stage: the keynote's subtitles to the broadcast norm, and the event as a BagIt bag."""

from __future__ import annotations

from mediaarchive.archive import find_asset
from mediaarchive.demo.base import DemoContext
from mediaarchive.services.export import export_event
from mediaarchive.services.views import list_assets
from mediaarchive.subtitles import PRESETS, asset_cues, check_cues, render_subtitles

PRESET = "de-broadcast"
SHOWN_CUES = 4


def show_subtitles(ctx: DemoContext) -> None:
    """Subtitles of the keynote (German broadcast norm) and the event exported as a bag"""
    ids = {result.sha256 for result in ctx.results if result.sha256}
    folder = ctx.archive.settings.home / "demo-output"
    folder.mkdir(parents=True, exist_ok=True)
    event = ctx.event
    with ctx.archive.session() as session:
        rows = [find_asset(session, asset.sha256) for asset in list_assets(session)
                if asset.sha256 in ids]
        talks = [asset for asset in rows if asset.current_transcript is not None]
        if not talks:
            ctx.say("No transcript yet: 'mediaarchive run' transcribes the keynote first.")
            return
        for asset in talks:
            event = event or (asset.event.name if asset.event else None)
            target = folder / f"{asset.short_id}.de.vtt"
            target.write_text(render_subtitles(session, asset, "vtt", PRESET), encoding="utf-8")
            cues = asset_cues(asset, PRESET)
            problems = check_cues(cues, PRESETS[PRESET])
            ctx.say(f"mediaarchive subtitles {asset.short_id} --preset {PRESET} -o {target}")
            for cue in cues[:SHOWN_CUES]:
                ctx.say(f"  {cue.start:7.2f}-{cue.end:7.2f}  {' / '.join(cue.lines)}")
            if len(cues) > SHOWN_CUES:
                ctx.say(f"  … {len(cues) - SHOWN_CUES} more cues")
            ctx.say(f"  --check: {len(problems)} of {len(cues)} cues break the preset"
                    + (f" (first: {'; '.join(problems[0].reasons)})" if problems else ""))
    if event:
        bag = folder / "export-bag"
        if not bag.exists():
            result = export_event(ctx.archive, event, str(bag))
            ctx.say(f'mediaarchive export --event "{event}" --to {bag}')
            ctx.say(f"  BagIt bag: {result.assets} assets, {result.files} files, "
                    f"{result.bytes / 1e6:.1f} MB, sha256 and sha512 manifests")
