"""Word spacing is explicit: cue text reads the same whether the words carry Whisper's
leading space or not (edited, imported or other sources), in every format."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from mediaarchive import services
from mediaarchive.subtitles.cues import build_cues
from mediaarchive.subtitles.presets import get_preset
from mediaarchive.subtitles.words import TimedWord, needs_space
from tests.fixtures.subtitles import SPEECH
from tests.fixtures.transcripts import add_asset, add_transcript, whisper_segments, whisper_words

SPOKEN = SPEECH.replace("|", "")


def _asset(archive, tmp_path, *, leading_space: bool) -> str:  # type: ignore[no-untyped-def]
    words = whisper_words(SPEECH)
    if not leading_space:
        words = [replace(w, word=w.word.lstrip()) for w in words]
    segments = whisper_segments(words)
    if not leading_space:
        # The segment texts are the words as spoken, spaced (as the transcriber stores them).
        texts = re.split(r"(?<=[.!?]) (?!Oktober)", SPOKEN)
        segments = [replace(s, text=t) for s, t in zip(segments, texts, strict=True)]
    original = tmp_path / f"talk-{leading_space}.mp4"
    original.write_bytes(f"talk {leading_space}".encode())
    with archive.session() as session:
        asset = add_asset(session, archive, original, kind="video", title="Eröffnung")
        add_transcript(session, asset, segments)
        return asset.short_id


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("leading_space", [True, False], ids=["whisper", "bare-words"])
@pytest.mark.parametrize("fmt", ["vtt", "srt", "txt", "json"])
def test_cue_text_is_spaced_in_every_format(archive, tmp_path, leading_space, fmt) -> None:  # type: ignore[no-untyped-def]
    asset_id = _asset(archive, tmp_path, leading_space=leading_space)
    text = services.subtitles.render(archive, asset_id, fmt).text
    if fmt == "json":
        spoken = " ".join(s["text"] for s in json.loads(text)["segments"])
    elif fmt == "txt":
        spoken = " ".join(re.sub(r"^\[\d+:\d\d:\d\d\] ", "", p) for p in text.split("\n\n")[1:])
    else:
        cues = re.findall(r"-->[^\n]*\n(.*?)(?:\n\n|\Z)", text, flags=re.S)
        spoken = " ".join(cues)
    assert _flat(spoken) == _flat(SPOKEN)
    assert "im Innovationslabor der Stadt vorstellen." in _flat(spoken)
    assert "bei 4,9 von" in _flat(spoken)


def test_words_without_a_segment_text_are_spaced_by_rule() -> None:
    bare = [
        TimedWord(0.0, 0.4, "Im"),
        TimedWord(0.4, 1.2, "Innovationslabor"),
        TimedWord(1.2, 1.4, ","),
        TimedWord(1.5, 1.8, "4,"),
        TimedWord(1.8, 2.0, "9"),
        TimedWord(2.0, 2.4, "Punkte."),
    ]
    cues = build_cues(bare, get_preset("default"))
    assert " ".join(c.text.replace("\n", " ") for c in cues) == "Im Innovationslabor, 4,9 Punkte."
    assert needs_space("Labcamp", TimedWord(0, 1, "4")) is True
    assert needs_space("Labcamp", TimedWord(0, 1, "!")) is False
