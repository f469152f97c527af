"""Every file written is read back by independent libraries and checked against its preset."""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

import pytest
import srt
import webvtt
from sqlalchemy import select

from mediaarchive.db import Asset, Segment, Transcript, Word
from mediaarchive.subtitles import PRESETS, Preset
from tests.fixtures.subtitles import SPEECH
from tests.fixtures.transcripts import provenance, whisper_words


def assert_keeps_preset(cues: list[tuple[float, float, list[str]]], preset: Preset) -> None:
    """The preset's limits, checked on what a parser read back (not on our own cue objects)."""
    previous_end = None
    for start, end, lines in cues:
        assert 1 <= len(lines) <= preset.max_lines, lines
        assert all(len(line) <= preset.max_chars_per_line for line in lines), lines
        duration = end - start
        assert preset.min_duration - 1e-6 <= duration <= preset.max_duration + 1e-6
        assert sum(len(line) for line in lines) / duration <= preset.max_cps + 1e-6
        if previous_end is not None:
            assert start - previous_end >= preset.min_gap - 1e-6
        previous_end = end


def read_srt(text: str) -> list[tuple[float, float, list[str]]]:
    return [
        (s.start.total_seconds(), s.end.total_seconds(), html.unescape(s.content).split("\n"))
        for s in srt.parse(text)
    ]


def read_vtt(text: str) -> list[tuple[float, float, list[str]]]:
    document = webvtt.from_buffer(io.StringIO(text))
    return [
        (
            c.start_time.in_milliseconds() / 1000,
            c.end_time.in_milliseconds() / 1000,
            [html.unescape(line) for line in c.lines],
        )
        for c in document.captions
    ]


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_srt_and_vtt_files_parse_back_and_keep_the_preset(
    cli, transcribed_asset, tmp_path: Path, preset: str
) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    srt_file, vtt_file = tmp_path / "talk.de.srt", tmp_path / "talk.de.vtt"
    assert (
        cli(
            "subtitles", asset_id, "--format", "srt", "--preset", preset, "-o", str(srt_file)
        ).exit_code
        == 0
    )
    assert cli("subtitles", asset_id, "--preset", preset, "-o", str(vtt_file)).exit_code == 0

    srt_text = srt_file.read_bytes().decode("utf-8")  # UTF-8, no BOM
    vtt_text = vtt_file.read_bytes().decode("utf-8")
    assert vtt_text.startswith("WEBVTT")
    from_srt, from_vtt = read_srt(srt_text), read_vtt(vtt_text)
    assert from_srt == from_vtt
    assert_keeps_preset(from_srt, PRESETS[preset])
    spoken = " ".join(" ".join(lines) for _, _, lines in from_srt)
    assert spoken == " ".join(SPEECH.replace("|", "").split())
    assert "Universitätsbibliothek." in spoken


def test_timestamps_have_the_right_syntax(cli, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset("Eine Stunde später geht es weiter.", segments=None)
    with_hours = transcribed_asset(
        segments=[(3725.5, 3729.25, "Nach einer Stunde und zwei Minuten.")], title="lang"
    )
    srt_text = cli("subtitles", with_hours, "--format", "srt").stdout
    vtt_text = cli("subtitles", with_hours).stdout
    assert "01:02:05,500 --> 01:02:" in srt_text
    assert "01:02:05.500 --> 01:02:" in vtt_text
    first = cli("subtitles", asset_id, "--format", "srt").stdout
    assert first.startswith("1\n00:00:00,000 --> 00:00:0")


def test_markup_characters_are_escaped(cli, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset(
        segments=[(0.0, 4.0, "Forschung & Lehre: a <b> c ist kein Tag.")], title="Escapes"
    )
    vtt_text = cli("subtitles", asset_id).stdout
    srt_text = cli("subtitles", asset_id, "--format", "srt").stdout
    for text in (vtt_text, srt_text):
        assert "Forschung &amp; Lehre: a &lt;b&gt; c" in text
        assert "<b>" not in text
    # A browser-grade parser reads the text back unchanged.
    assert " ".join(read_vtt(vtt_text)[0][2]) == "Forschung & Lehre: a <b> c ist kein Tag."


def test_plain_text_is_readable_with_paragraphs_and_time_marks(cli, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset(
        segments=[
            (0.0, 3.0, "Willkommen zum Labcamp."),
            (3.2, 6.0, "Wir beginnen mit den Prototypen."),
            (15.0, 19.0, "Nach der Pause geht es um offene Daten."),
        ],
        title="Labcamp Eröffnung",
    )
    text = cli("subtitles", asset_id, "--format", "txt").stdout
    assert text.splitlines()[0] == "Labcamp Eröffnung"
    paragraphs = [p for p in text.split("\n\n")[1:] if p.strip()]
    assert paragraphs == [
        "[0:00:00] Willkommen zum Labcamp. Wir beginnen mit den Prototypen.",
        "[0:00:15] Nach der Pause geht es um offene Daten.\n",
    ]
    assert all(len(line) <= 78 for line in text.splitlines())


def test_json_has_segments_and_words(cli, archive, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    document = json.loads(cli("subtitles", asset_id, "--format", "json").stdout)
    assert document["asset_id"] == asset_id and document["model"] == "base"
    # The transcript's provenance goes out as stored (model, compute type, guards).
    assert document["provenance"] == provenance("base")
    first = document["segments"][0]
    assert first["text"].startswith("Guten Morgen")
    # The words exactly as stored, in order (read straight from the database).
    with archive.session() as session:
        stored = session.execute(
            select(Word.start, Word.end, Word.word, Word.probability)
            .join(Segment)
            .join(Transcript)
            .join(Asset)
            .where(Asset.sha256.startswith(asset_id), Transcript.current.is_(True))
            .order_by(Word.start, Word.id)
        ).all()
    exported = [
        (w["start"], w["end"], w["word"], w["probability"])
        for s in document["segments"]
        for w in s["words"]
    ]
    assert exported == [tuple(row) for row in stored]
    spoken = whisper_words(SPEECH)[0]
    assert first["words"][0] == {
        "start": 0.0,
        "end": spoken.end,
        "word": " Guten",
        "probability": spoken.probability,
    }
    assert first["confidence"] == round(
        sum(w["probability"] for w in first["words"]) / len(first["words"]), 4
    )
    words = [w["word"] for s in document["segments"] for w in s["words"]]
    assert [" 4,", "9"] == words[words.index(" 4,") : words.index(" 4,") + 2]
