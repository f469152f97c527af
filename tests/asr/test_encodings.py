"""A short recording is encoded once: language detection hands its encoder output to the
decoder (``asr.encodings``), and the transcript is the one a second encoder pass gives."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from mediaarchive import synth
from mediaarchive.asr.encodings import SharedEncodings
from mediaarchive.asr.transcriber import DecodingOptions, get_transcriber, load_audio
from mediaarchive.config import Settings


def _clip(tmp_path: Path) -> Path:
    target = tmp_path / "clip.wav"
    source = synth.talk_audio(
        ["Willkommen zum Labcamp in Soest.", "Die Universität begleitet das Projekt."],
        pause=1.0,
    )
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(source), "-ar", "16000", "-ac", "1", str(target)],
        check=True,
    )
    return target


def test_detection_and_decoding_of_a_short_clip_share_one_encoder_pass(tmp_path: Path) -> None:
    transcriber = get_transcriber(Settings.load(), threads=2)
    shared = transcriber.whisper.encode
    assert isinstance(shared, SharedEncodings)
    passes: list[tuple[int, ...]] = []
    encode = shared._encode

    def counting(features: np.ndarray):  # type: ignore[no-untyped-def]
        passes.append(features.shape)
        return encode(features)

    shared._encode = counting
    try:
        audio = load_audio(_clip(tmp_path))
        assert len(audio) < 30 * 16000
        decision = transcriber.detect_language(audio)
        assert decision.language == "de" and len(decision.windows) == 1
        segments, _ = transcriber.transcribe(audio, DecodingOptions(language="de"))
        once = [(s.start, s.end, s.text) for s in segments]
        assert len(passes) == 1  # detection's pass, used by the decoder
        # Without detection before it, the decoder encodes for itself: the same words.
        segments, _ = transcriber.transcribe(audio, DecodingOptions(language="de"))
        assert [(s.start, s.end, s.text) for s in segments] == once
        assert len(passes) == 2
    finally:
        shared._encode = encode
    words = " ".join(text for _, _, text in once).lower()
    assert "universität" in words and "projekt" in words
