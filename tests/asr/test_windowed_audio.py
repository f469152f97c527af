"""Speech audio is read window by window (flat memory on long talks), with the same result."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mediaarchive import synth
from mediaarchive.asr.audio import WavSamples
from mediaarchive.asr.transcriber import (
    FALLBACK_TEMPERATURES,
    DecodingOptions,
    get_transcriber,
    load_audio,
)
from mediaarchive.config import Settings

TALK = [
    "Willkommen zum Labcamp in Soest.",
    "Heute sprechen wir über Innovationslabore in der Verwaltung.",
    "Die Universität begleitet das Projekt und wertet die Ergebnisse aus.",
]


def _speech_wav(tmp_path: Path, sentences: list[str] = TALK) -> Path:
    import subprocess

    tmp_path.mkdir(exist_ok=True)
    target = tmp_path / "speech.wav"
    source = synth.talk_audio(sentences, pause=2.0)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(source), "-ar", "16000", "-ac", "1", str(target)],
        check=True,
    )
    return target


def test_windowed_samples_are_the_whole_file_s_samples(tmp_path: Path) -> None:
    path = _speech_wav(tmp_path)
    whole = load_audio(path)
    windowed = load_audio(path, windowed=True)
    assert isinstance(windowed, WavSamples) and not isinstance(whole, WavSamples)
    assert len(windowed) == len(whole)
    for lo, hi in [(0, 1600), (12345, 54321), (len(whole) - 100, len(whole) + 50)]:
        assert np.array_equal(windowed[lo:hi], whole[lo:hi])
    path.unlink()  # a temporary copy may go: the samples are still read
    assert np.array_equal(windowed[100:200], whole[100:200])


def test_windowed_reading_gives_the_same_transcript(tmp_path: Path) -> None:
    # Small windows, so that the talk spans several (cut at pauses), as a long talk does.
    path = _speech_wav(tmp_path)
    transcriber = get_transcriber(Settings.load(), threads=2)
    transcriber.window = 6.0
    # The batched path, which long talks take (temperature 0). A recording this short goes
    # to the sequential path, whose temperature fallback samples: its text may differ from
    # run to run, whole or windowed alike (seen once in CI), which is not what this tests.
    options = DecodingOptions(language="de", sequential_up_to=0)
    texts = []
    for audio in (load_audio(path), load_audio(path, windowed=True)):
        language = transcriber.detect_language(audio)
        segments, _ = transcriber.transcribe(audio, options)
        texts.append((language.language, [(s.start, s.end, s.text) for s in segments]))
    assert texts[0] == texts[1]
    assert texts[0][0] == "de"
    words = " ".join(text for _, _, text in texts[0][1]).lower()
    assert "universität" in words and "projekt" in words


def test_only_a_short_recording_is_decoded_sequentially(tmp_path: Path) -> None:
    # Sequential decoding with temperature fallback is for recordings of at most
    # ``sequential_up_to`` seconds. A longer talk's windows are batched, its short last
    # window too: decoded sequentially, the 28 s tail of a 2-minute talk took 40 % of the
    # whole decode in fallbacks.
    transcriber = get_transcriber(Settings.load(), threads=2)
    transcriber.window = 20.0
    sequential: list[dict] = []  # type: ignore[type-arg]
    decode = transcriber.whisper.transcribe

    def spy(audio, **kwargs):  # type: ignore[no-untyped-def]
        sequential.append(kwargs)
        return decode(audio, **kwargs)

    transcriber.whisper.transcribe = spy
    try:
        for sentences, short in [(TALK, True), (TALK * 3, False)]:
            audio = load_audio(_speech_wav(tmp_path / str(short), sentences))
            assert (len(audio) <= 30 * 16000) is short
            sequential.clear()
            segments, _ = transcriber.transcribe(audio, DecodingOptions(language="de"))
            words = " ".join(s.text for s in segments).lower()
            assert words.count("projekt") == len(sentences) // 3
            with_fallback = [k for k in sequential if k.get("temperature") == FALLBACK_TEMPERATURES]
            assert len(with_fallback) == (1 if short else 0)
    finally:
        del transcriber.whisper.transcribe
