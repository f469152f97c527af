"""Jobs that decode at the same time share batched model calls, and get the words each would
get alone (``asr.merging``)."""

from __future__ import annotations

import threading

import ctranslate2
import numpy as np
import pytest
from faster_whisper.tokenizer import Tokenizer

from mediaarchive import synth
from mediaarchive.asr.audio import load_audio
from mediaarchive.asr.merging import MergedModel
from mediaarchive.asr.transcriber import DecodingOptions, get_transcriber
from mediaarchive.config import Settings

SENTENCES = [
    "Im Innovationslabor der Stadt zeigen wir heute den Prototyp.",
    "Die Bibliothek öffnet am Montag eine neue Werkstatt für Schulklassen.",
    "Das Labcamp beginnt um neun Uhr mit einer Keynote über offene Daten.",
    "Nach der Mittagspause stellen drei Teams ihre Ergebnisse vor.",
]


def _words(transcriber, audio: np.ndarray) -> list[tuple[str, float, float]]:
    language = transcriber.detect_language(audio).language
    segments, _ = transcriber.transcribe(audio, DecodingOptions(language=language))
    return [(w.word, w.start, w.end) for s in segments for w in s.words]


def test_jobs_decoding_side_by_side_get_the_words_each_gets_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transcriber = get_transcriber(Settings.load(), threads=1)
    model = transcriber.whisper.model
    assert isinstance(model, MergedModel)
    audios = [load_audio(synth.talk_audio([text])) for text in SENTENCES]
    alone = [_words(transcriber, audio) for audio in audios]
    assert all(alone), "a clip came out empty on its own"
    calls, items = model.calls["generate"], model.items["generate"]

    together: list[list[tuple[str, float, float]] | None] = [None] * len(audios)
    start = threading.Barrier(len(audios))
    # Calls wait longer for each other than in a run (``WAIT``): the jobs' Python work
    # between two calls holds the GIL one job at a time, and on a loaded machine it can
    # spread them further apart than that; here they must meet to be compared.
    monkeypatch.setattr(model, "_wait", 2.0)

    def job(n: int) -> None:
        start.wait()
        together[n] = _words(transcriber, audios[n])

    threads = [threading.Thread(target=job, args=(n,)) for n in range(len(audios))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert together == alone
    merged_calls = model.calls["generate"] - calls
    merged_items = model.items["generate"] - items
    assert merged_items > merged_calls, (
        f"no call was merged: {merged_items} decoder calls in {merged_calls} batches"
    )


def test_one_job_alone_calls_the_model_directly() -> None:
    transcriber = get_transcriber(Settings.load(), threads=1)
    model = transcriber.whisper.model
    before = sum(model.calls.values())
    assert _words(transcriber, load_audio(synth.talk_audio([SENTENCES[0]])))
    assert sum(model.calls.values()) == before


def test_a_batch_the_model_rejects_is_run_call_by_call() -> None:
    """Two calls CTranslate2 will not take in one batch (their prompts differ in task
    tokens): each job still gets its own words; a call that fails gets its error in its
    own thread, and the other job goes on."""
    transcriber = get_transcriber(Settings.load(), threads=1)
    whisper = transcriber.whisper
    merged = MergedModel(whisper.model._model, workers=1, wait=5.0)
    audio = load_audio(synth.talk_audio([SENTENCES[1]]))
    features = whisper.feature_extractor(np.pad(audio, (0, max(0, 30 * 16000 - len(audio)))))
    encoded = whisper.encode(features[:, :3000])
    tokenizer = Tokenizer(whisper.hf_tokenizer, True, task="transcribe", language="de")
    sot, german, transcribe = tokenizer.sot_sequence
    previous = tokenizer.sot_prev
    results: dict[str, object] = {}
    wrong_shape = ctranslate2.StorageView.from_array(np.zeros((1, 81, 3000), np.float32))

    def job(name: str, prompt: list[int]) -> None:
        with merged.user():
            start.wait()
            try:
                if name == "broken":
                    merged.encode(wrong_shape)
                results[name] = merged.generate(encoded, [prompt], beam_size=5, max_length=40)
            except ValueError as exc:
                results[name] = exc

    start = threading.Barrier(3)
    threads = [
        threading.Thread(target=job, args=("plain", [sot, german, transcribe])),
        threading.Thread(target=job, args=("prompted", [previous, german, sot])),
        threading.Thread(target=job, args=("broken", [sot, german, transcribe])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert isinstance(results["broken"], ValueError)
    assert "shape" in str(results["broken"])
    for name, prompt in (
        ("plain", [sot, german, transcribe]),
        ("prompted", [previous, german, sot]),
    ):
        result = results[name]
        assert not isinstance(result, Exception), result
        alone = whisper.model._model.generate(encoded, [prompt], beam_size=5, max_length=40)
        assert result[0].sequences_ids == alone[0].sequences_ids, name
    text = whisper.hf_tokenizer.decode(results["plain"][0].sequences_ids[0])
    assert "Bibliothek" in text or "Werkstatt" in text, text
    assert merged.items["generate"] > merged.calls["generate"], "the two were never merged"


@pytest.mark.parametrize("users", [0, 1])
def test_no_wait_without_other_jobs(users: int) -> None:
    """Calls made while at most one job uses the model never wait for company."""
    transcriber = get_transcriber(Settings.load(), threads=1)
    merged = MergedModel(transcriber.whisper.model._model, workers=2, wait=60.0)
    features = np.zeros((80, 3000), dtype=np.float32)
    storage = ctranslate2.StorageView.from_array(features[None])
    if users:
        with merged.user():
            merged.encode(storage)
    else:
        merged.encode(storage)
    assert not merged.calls
