"""Speech is encoded once: language detection hands its encoder outputs to the decoder
(``asr.encodings``), and the transcript is the one a second encoder pass gives."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from mediaarchive import synth
from mediaarchive.asr.encodings import PlannedChunk, SharedEncodings, pick_chunks, planned_chunks
from mediaarchive.asr.transcriber import DecodingOptions, get_transcriber, load_audio
from mediaarchive.config import Settings


def _clip(tmp_path: Path) -> Path:
    target = tmp_path / "clip.wav"
    source = synth.talk_audio(
        ["Guten Morgen und willkommen zum Labcamp.", "Die Universität begleitet das Projekt."],
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


#: A talk of about 40 s: longer than ``sequential_up_to``, so it takes the batched pipeline,
#: which cuts it into two chunks of speech.
LONGER = [
    "Willkommen zum Labcamp. Heute geht es um offene Daten in der Verwaltung.",
    "Wir zeigen zuerst, wie Archive ihre Videos beschreiben.",
    "Im Innovationslabor der Stadt bauen wir Prototypen mit Bürgerinnen und Bürgern.",
    "Danach sprechen wir über Untertitel und barrierefreie Angebote.",
    "Die Universität begleitet das Projekt seit drei Jahren.",
    "Im nächsten Jahr laden wir alle Vereine der Stadt in das Labor ein.",
    "Vielen Dank und viel Spaß beim Ausprobieren.",
]


def test_detection_on_a_longer_recording_hands_its_chunk_to_the_batched_decoder() -> None:
    transcriber = get_transcriber(Settings.load(), threads=2)
    shared = transcriber.whisper.encode
    encoded: list[int] = []  # inputs (30 s each) the encoder was given
    encode = shared._encode

    def counting(features: np.ndarray):  # type: ignore[no-untyped-def]
        encoded.append(1 if features.ndim == 2 else features.shape[0])
        return encode(features)

    shared._encode = counting
    try:
        audio = load_audio(synth.talk_audio(LONGER, pause=1.5))
        assert 35 * 16000 < len(audio) < 60 * 16000
        chunks = planned_chunks(audio, transcriber.window, DecodingOptions().vad_parameters)
        assert len(chunks) == 2 and all(chunk.speech <= 30 for chunk in chunks)
        decision = transcriber.detect_language(audio)
        assert decision.language == "de" and len(decision.windows) == 1  # < 1 min of speech
        assert sum(encoded) == 1
        segments, _ = transcriber.transcribe(audio, DecodingOptions(language="de"))
        shared_run = [(s.start, s.end, s.text) for s in segments]
        # The decoder encoded only the chunk detection had not: two chunks, two passes.
        assert sum(encoded) == 2
        segments, _ = transcriber.transcribe(audio, DecodingOptions(language="de"))
        assert [(s.start, s.end, s.text) for s in segments] == shared_run  # the same words
        assert sum(encoded) == 4
    finally:
        shared._encode = encode
    words = " ".join(text for _, _, text in shared_run).lower()
    assert "prototypen" in words and "universität begleitet das projekt" in words, words


def test_planned_chunks_are_the_chunks_faster_whisper_cuts() -> None:
    """``planned_chunks`` mirrors ``faster_whisper.vad.collect_chunks``: spans grouped up to
    30 s of speech (a span longer than that starts after an empty chunk, as there)."""
    from faster_whisper.vad import collect_chunks

    from mediaarchive.asr.encodings import _chunk_audio, _merged

    rng = np.random.default_rng(7)
    window = rng.standard_normal(90 * 16000).astype(np.float32)
    cases = [
        [{"start": 0, "end": 16000 * 12}, {"start": 16000 * 13, "end": 16000 * 25}],
        [{"start": 16000 * a, "end": 16000 * (a + 9)} for a in range(0, 80, 10)],
        [{"start": 0, "end": 16000 * 31}, {"start": 16000 * 32, "end": 16000 * 40}],
    ]
    for spans in cases:
        theirs, _ = collect_chunks(window, spans, max_duration=30)
        groups = [tuple((s["start"], s["end"]) for s in group) for group in _merged(spans)]
        ours = [_chunk_audio(window, group) for group in groups]
        assert len(ours) == len(theirs)
        for mine, their in zip(ours, theirs, strict=True):
            assert np.array_equal(mine, their)


def test_language_chunks_spread_over_the_whole_speech() -> None:
    def chunk(start: float, speech: float) -> PlannedChunk:
        return PlannedChunk((0, 0), ((0, int(speech * 16000)),), speech, start, start + speech)

    chunks = [chunk(float(i * 30), 30.0) for i in range(20)]  # 10 minutes of speech
    picked = pick_chunks(chunks)
    assert len(picked) == 5
    assert picked[0] is chunks[0] and picked[-1] is chunks[-1]  # first and last speech
    assert [c.start for c in picked] == sorted({c.start for c in picked})
    assert pick_chunks([]) == []
    # One chunk per minute of speech: a 2-minute talk is heard at its start and its end.
    four = [chunk(0.0, 30.0), chunk(30.0, 25.0), chunk(60.0, 30.0), chunk(90.0, 30.0)]
    assert pick_chunks(four) == [four[0], four[-1]]
    assert pick_chunks([chunk(0.0, 25.0)]) == [chunk(0.0, 25.0)]
    # A few seconds at the end are not a window of their own: the chunk before holds more.
    tail = [chunk(0.0, 30.0), chunk(30.0, 30.0), chunk(60.0, 30.0), chunk(95.0, 3.0)]
    assert pick_chunks(tail) == [tail[0], tail[2]]
