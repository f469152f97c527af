"""A real Whisper transcript, through every way the web shows it: the VTT subtitles, the JSON
API and the talk page say the same words, spaced, as the stored segments."""

from __future__ import annotations

import html
import re

import httpx
import pytest
import webvtt

from mediaarchive import synth
from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.services.transcripts import transcribe
from mediaarchive.web.server import BackgroundServer
from tests.fixtures.asr import speech_asset, transcripts_of
from tests.fixtures.transcripts import assert_cues_say
from tests.fixtures.web import TALK_PARAGRAPHS

pytestmark = pytest.mark.slow


def test_a_real_transcript_reads_the_same_in_subtitles_api_and_page(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    archive = Archive(Settings.load(home=tmp_path_factory.mktemp("home")))
    audio = synth.talk_audio(TALK_PARAGRAPHS[:3], pause=1.5)
    asset = speech_asset(
        archive, audio, title="Offene Daten", event="Labcamp 4", speakers=["Anna Beispiel"]
    )
    transcribe(archive, asset.short_id)
    [transcript] = transcripts_of(archive, asset.id)
    said = [segment.text for segment in transcript.segments]
    # Whisper's own shape, as stored: every word with its leading space.
    assert len(said) >= 3
    assert all(word in " ".join(said) for word in ("Willkommen", "Labcamp", "Daten")), said
    assert all(w.word.startswith(" ") for s in transcript.segments for w in s.words[:1])

    with BackgroundServer(archive) as server, httpx.Client(base_url=server.url) as client:
        vtt = client.get(f"/assets/{asset.short_id}/subtitles.vtt")
        api = client.get(f"/api/assets/{asset.short_id}/transcript")
        page = client.get(f"/assets/{asset.short_id}")
    archive.close()

    assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT")
    assert_cues_say([cue.text for cue in webvtt.from_string(vtt.text)], said)

    assert api.status_code == 200
    segments = api.json()["segments"]
    assert [s["text"] for s in segments] == said
    for segment in segments:
        assert "".join(w["word"] for w in segment["words"]).strip() == segment["text"]

    assert page.status_code == 200
    lines = re.findall(r'<a class="line"[^>]*>.*?<span class="text">(.*?)</span>', page.text)
    assert [html.unescape(line) for line in lines] == said
