"""Guards against Whisper's failures: credits, sign-offs, loops, text over silence.

The first tests feed the guards segments shaped like Whisper's real failures (fast, no
model); the slow ones run the real model on generated audio and check what a user sees.
"""

from __future__ import annotations

import numpy as np
import pytest

from mediaarchive import synth
from mediaarchive.asr.guards import SegmentGuard
from mediaarchive.asr.segments import SpeechSegment, SpeechWord
from mediaarchive.asr.transcriber import DecodingOptions, get_transcriber, load_audio
from mediaarchive.config import Settings

SR = 16000


def spoken(seconds: float = 10.0) -> np.ndarray:
    """Speech-loud audio (a guard only looks at its level)."""
    rng = np.random.default_rng(7)
    return (rng.normal(0, 0.1, int(seconds * SR))).astype(np.float32)


def segment(
    text: str, start: float = 0.0, prob: float = 0.9, no_speech: float = 0.05, logprob: float = -0.3
) -> SpeechSegment:
    tokens = text.split()
    step = 4.0 / max(1, len(tokens))
    words = tuple(
        SpeechWord(start + i * step, start + (i + 1) * step, " " + t, prob)
        for i, t in enumerate(tokens)
    )
    return SpeechSegment(start, start + 4.0, text, words, logprob, no_speech, 1.5)


def test_credits_always_go_sign_offs_only_without_speech_evidence() -> None:
    guard = SegmentGuard(spoken())
    assert guard.check(segment("Untertitel im Auftrag des ZDF, 2017")) is None
    assert guard.check(segment("Untertitelung des ZDF für funk, 2017")) is None
    assert guard.check(segment("Untertitel der Amara.org-Community")) is None
    # A confident sign-off is something the speaker said; a doubtful one is not.
    assert guard.check(segment("Vielen Dank fürs Zuschauen!")) is not None
    assert guard.check(segment("Bis zum nächsten Mal.", prob=0.3, no_speech=0.5)) is None
    assert guard.check(segment("Vielen Dank fürs Zuschauen.", prob=0.4)) is None
    # Ordinary speech mentioning the ZDF is kept.
    kept = guard.check(segment("Das ZDF hat über das Stadtlabor berichtet."))
    assert kept is not None and "ZDF" in kept.text
    assert guard.report()["counts"] == {"boilerplate": 5}


def test_loops_are_cut_to_one_and_repeated_segments_dropped() -> None:
    guard = SegmentGuard(spoken(30))
    looped = segment("Wir bauen Prototypen " + "und testen sie " * 12 + "im Labor.")
    kept = guard.check(looped)
    assert kept is not None
    assert kept.text == "Wir bauen Prototypen und testen sie im Labor."
    assert [w.word for w in kept.words][-1] == " Labor."
    assert kept.end == looped.words[-1].end
    for i in range(4):
        result = guard.check(segment("Das ist ein Test.", start=5.0 + 4 * i))
        assert (result is None) == (i >= 2), i
    assert guard.report()["counts"] == {"repetition": 3}


def test_text_over_silence_or_marked_no_speech_goes() -> None:
    audio = np.concatenate([np.zeros(5 * SR, np.float32), spoken(5)])
    guard = SegmentGuard(audio)
    assert guard.check(segment("Ich bin jetzt auf der anderen Seite.", start=0.5)) is None
    assert (
        guard.check(segment("Das ist ein gutes Foto.", start=5.5, no_speech=0.9, logprob=-1.4))
        is None
    )
    assert guard.check(segment("Das ist ein gutes Foto.", start=5.5)) is not None


@pytest.fixture(scope="module")
def transcriber():  # type: ignore[no-untyped-def]
    return get_transcriber(Settings.load(), threads=2)


def generated(name: str) -> np.ndarray:
    rng = np.random.default_rng(1)
    t = np.arange(SR * 20) / SR
    if name == "silence":
        return np.zeros(SR * 20, np.float32)
    if name == "noise":
        return rng.normal(0, 0.1, SR * 20).astype(np.float32)
    if name == "hum":  # brown noise, like a room or a fan
        return (np.cumsum(rng.normal(0, 0.02, SR * 20)) * 0.01).astype(np.float32)
    if name == "tones":  # beeps, like a time signal
        return (0.3 * np.sin(2 * np.pi * 1000 * t) * ((t * 2).astype(int) % 2)).astype(np.float32)
    raise ValueError(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["silence", "noise", "hum", "tones"])
def test_no_speech_gives_no_text_even_without_vad(transcriber, name: str) -> None:  # type: ignore[no-untyped-def]
    audio = generated(name)
    for vad in (True, False):
        segments, guard = transcriber.transcribe(audio, DecodingOptions(vad_filter=vad))
        assert [s.text for s in segments] == [], (name, vad)


@pytest.mark.slow
def test_loop_prone_input_has_no_runaway_repetition(transcriber, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    # A word said thirty times makes Whisper loop on (it wrote "ja" 57 times here).
    source = synth.talk_audio(["Wir stimmen jetzt über den Antrag ab.", "ja, " * 30], pause=1.5)
    wav = tmp_path / "loop.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(source), "-ar", "16000", "-ac", "1", str(wav)],
        check=True,
    )
    segments, guard = transcriber.transcribe(load_audio(wav), DecodingOptions())
    words = [w.word.strip(" ,.!?").lower() for s in segments for w in s.words]
    run = longest = 1
    for before, after in zip(words, words[1:], strict=False):
        run = run + 1 if after == before else 1
        longest = max(longest, run)
    assert longest <= 3, words
    assert any(w.startswith("antra") for w in words), "the speech before the loop is kept"
    assert guard.report()["counts"]["repetition"] >= 1
