"""The demo's subtitles stage: the keynote's VTT, its check, and the event's bag."""

from __future__ import annotations

from types import SimpleNamespace

import bagit
import webvtt

from mediaarchive.demo.base import DemoContext
from mediaarchive.demo.subtitles import show_subtitles
from tests.fixtures.subtitles import SPEECH


def test_demo_stage_writes_subtitles_and_a_bag(archive, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    with archive.session() as session:
        from mediaarchive.archive import find_asset

        sha256 = find_asset(session, asset_id).sha256
    lines: list[str] = []
    ctx = DemoContext(archive, results=[SimpleNamespace(sha256=sha256)], echo=lines.append)
    show_subtitles(ctx)

    output = "\n".join(lines)
    vtt = archive.settings.home / "demo-output" / f"{asset_id}.de.vtt"
    assert f"--preset de-broadcast -o {vtt}" in output
    assert "Guten Morgen" in output
    # The check passes, or says which cues break it and why those cannot keep to it.
    check = next(line for line in output.splitlines() if "--check:" in line)
    assert check.endswith("cues keep to de-broadcast") or (
        "cues break de-broadcast" in check
        and ("faster than the preset's reading speed (max 15/s)" in check or "first other" in check)
    ), check
    # The cues say the talk word for word, spaced as written, in lines the preset allows.
    captions = webvtt.read(str(vtt)).captions
    lines = [line for caption in captions for line in caption.text.splitlines()]
    assert " ".join(lines) == SPEECH.replace("|", "")
    assert all(line == line.strip() and "  " not in line for line in lines), lines
    # de-broadcast: at most 37 characters a line, 2 lines a cue.
    assert max(len(line) for line in lines) <= 37
    assert all(len(caption.text.splitlines()) <= 2 for caption in captions)
    assert captions[0].text.startswith("Guten Morgen und herzlich")
    bag = archive.settings.home / "demo-output" / "export-bag"
    assert "BagIt bag: 1 assets" in output
    bagit.Bag(str(bag)).validate()


def test_demo_stage_without_transcripts_says_what_to_do(archive) -> None:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    show_subtitles(DemoContext(archive, results=[], echo=lines.append))
    assert lines == ["No transcript yet: 'mediaarchive run' transcribes the keynote first."]
