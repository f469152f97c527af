"""Does the voice encoder tell speakers apart? Equal error rate on same/different-speaker pairs.

Real German speech, ``../shared/eval/de_speech`` (read in place): every clip whose manifest
names its speaker (10 EmoDB actors, Thorsten, a VoxForge user; the Picovoice and InproTK
clips are left out: their speakers are "unknown", so a pair of them is neither surely the same
nor surely different). Every pair of clips is scored by the cosine of the numpy port's
embeddings (``mediaarchive.asr.voice``); the EER is where false accepts equal false rejects.

Conditions: ``clip`` = the whole clip, volume normalised; ``silero`` = only the speech the
Silero VAD finds (the project's stand-in for Resemblyzer's webrtcvad trimming); ``1.6s`` = one
partial of 1.6 s from the clip's middle (what one diarization window sees). Reported for all
clips and for EmoDB alone (one studio, the same ten sentences for every actor: neither channel
nor words can give the speaker away there). Pairs: all (the issue's go/no-go criterion);
calm (both clips neutral or not acted: what a panel sounds like); same acted emotion; and
EmoDB across emotions (same-speaker pairs in two different acted emotions). Each on raw
embeddings and on embeddings minus the set's mean ("centred").

    .venv/bin/mediaarchive models install resemblyzer     # once: the weights
    .venv/bin/python benchmarks/speaker_eer.py            # all 369 clips (~5 min)
    .venv/bin/python benchmarks/speaker_eer.py --limit 10 # at most 10 clips a speaker (quick)
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from asr_common import load_average, table  # noqa: E402

from mediaarchive.asr.transcriber import load_audio  # noqa: E402
from mediaarchive.asr.voice import (  # noqa: E402
    PARTIAL_FRAMES,
    SAMPLE_RATE,
    VoiceEncoder,
    mel_spectrogram,
    normalize_volume,
    speech_only,
)
from mediaarchive.asr.voice_weights import resolve_voice_encoder  # noqa: E402
from mediaarchive.config import Settings  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "de_speech"
PARTIAL_SAMPLES = PARTIAL_FRAMES * SAMPLE_RATE // 100
WINDOW_FRAMES = 150  # 1.5 s, the diarization window the issue proposes


def equal_error_rate(same: np.ndarray, different: np.ndarray) -> tuple[float, float]:
    """(EER, threshold): where the share of different pairs scoring >= t equals the share of
    same pairs scoring < t."""
    thresholds = np.unique(np.concatenate([same, different]))
    same_sorted, diff_sorted = np.sort(same), np.sort(different)
    frr = np.searchsorted(same_sorted, thresholds, side="left") / len(same)
    far = 1.0 - np.searchsorted(diff_sorted, thresholds, side="left") / len(different)
    best = int(np.argmin(np.abs(far - frr)))
    return float((far[best] + frr[best]) / 2), float(thresholds[best])


def speakers(manifest: Path, limit: int | None) -> list[tuple[str, str, str, str]]:
    """(id, file, speaker, acted emotion or "") of every clip with a named speaker."""
    rows = list(csv.DictReader(open(manifest, encoding="utf-8"), delimiter="\t"))
    count: dict[str, int] = defaultdict(int)
    out = []
    for row in sorted(rows, key=lambda r: r["id"]):
        speaker = row["speaker_or_source"].split(", acted")[0].strip()
        if speaker.startswith("unknown"):
            continue
        if limit and count[speaker] >= limit:
            continue
        count[speaker] += 1
        emotion = row["speaker_or_source"].partition("emotion=")[2].strip()
        out.append((row["id"], row["file"], speaker, emotion))
    return out


def eer_rows(
    labels: np.ndarray, emotions: np.ndarray, embeddings: dict[str, np.ndarray]
) -> list[list[str]]:
    """EER per subset of pairs and embedding condition, on raw and on centred embeddings."""
    n = len(labels)
    upper = np.triu(np.ones((n, n), bool), k=1)
    same = labels[:, None] == labels[None, :]
    same_emotion = emotions[:, None] == emotions[None, :]
    emodb = np.array([label.startswith("EmoDB") for label in labels])
    calm = (emotions == "neutral") | (emotions == "")
    both = lambda mask: mask[:, None] & mask[None, :]  # noqa: E731
    subsets = {
        "all (the issue's criterion)": upper,
        "calm: neutral or not acted": upper & both(calm),
        "same acted emotion": upper & same_emotion,
        "EmoDB across emotions": upper & both(emodb) & ~(same & same_emotion),
    }
    rows = []
    for subset, pairs in subsets.items():
        members = pairs.any(axis=0) | pairs.any(axis=1)
        for condition, matrix in embeddings.items():
            cells = []
            # Centred: minus the set's mean embedding (in diarization, the recording's mean);
            # Resemblyzer's embeddings are all positive (ReLU), so raw cosines sit high.
            for vectors in (matrix, matrix - matrix.mean(axis=0)):
                unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
                scores = unit @ unit.T
                eer, threshold = equal_error_rate(scores[pairs & same], scores[pairs & ~same])
                cells.append(f"{eer * 100:.2f} % (at {threshold:.2f})")
            rows.append(
                [
                    subset,
                    condition,
                    str(len(set(labels[members]))),
                    str(int(members.sum())),
                    f"{int((pairs & same).sum())} / {int((pairs & ~same).sum())}",
                    *cells,
                ]
            )
    return rows


def window_speed(encoder: VoiceEncoder, speech: np.ndarray) -> str:
    """Time the diarization-style use: 1.5 s windows every 0.75 s over ``speech``."""
    began = time.perf_counter()
    mel = mel_spectrogram(speech)
    starts = range(0, max(1, len(mel) - WINDOW_FRAMES), WINDOW_FRAMES // 2)
    windows = np.stack([mel[i : i + WINDOW_FRAMES] for i in starts])
    encoder.embed_mels(windows, batch=256)
    elapsed = time.perf_counter() - began
    seconds = len(speech) / SAMPLE_RATE
    return (
        f"{len(windows)} windows of 1.5 s every 0.75 s over {seconds:.0f} s of speech: "
        f"{elapsed:.1f} s = {elapsed / seconds:.3f}x real time"
    )


def middle_partial(wav: np.ndarray) -> np.ndarray:
    if len(wav) <= PARTIAL_SAMPLES:
        return wav
    start = (len(wav) - PARTIAL_SAMPLES) // 2
    return wav[start : start + PARTIAL_SAMPLES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=None, help="clips per speaker at most")
    parser.add_argument("--dump", type=Path, help="save the embeddings (.npz) for analysis")
    args = parser.parse_args()

    weights = resolve_voice_encoder(Settings.load())
    encoder = VoiceEncoder(weights.path)
    clips = speakers(args.data / "manifest.tsv", args.limit)
    load_before = load_average()
    began = time.perf_counter()
    audio_seconds = 0.0
    inputs: dict[str, list[np.ndarray]] = {"clip": [], "silero": [], "1.6s": []}
    for _, file, _, _ in clips:
        wav = load_audio(args.data / file)
        audio_seconds += len(wav) / SAMPLE_RATE
        speech = speech_only(wav)
        inputs["clip"].append(normalize_volume(wav))
        inputs["silero"].append(normalize_volume(speech))
        inputs["1.6s"].append(normalize_volume(middle_partial(speech)))
    embeddings = {name: list(encoder.embed_utterances(wavs)) for name, wavs in inputs.items()}
    elapsed = time.perf_counter() - began

    labels = np.array([clip[2] for clip in clips])
    emotions = np.array([clip[3] for clip in clips])
    if args.dump:
        np.savez(
            args.dump,
            ids=[c[0] for c in clips],
            labels=labels,
            emotions=emotions,
            **{k: np.stack(v) for k, v in embeddings.items()},
        )
    speed = window_speed(encoder, np.concatenate(inputs["silero"]))
    rows = eer_rows(labels, emotions, {k: np.stack(v) for k, v in embeddings.items()})
    print(f"Voice encoder: Resemblyzer 0.1.4 weights (sha256 {weights.sha256[:12]}…), numpy port")
    print(
        f"{len(clips)} clips, {audio_seconds / 60:.1f} min of audio embedded 3 ways in "
        f"{elapsed:.1f} s; load before/after: {load_before} / {load_average()} (under load)\n"
    )
    print(f"Speed (numpy, 2 cores, under load): {speed}\n")
    print(
        table(
            ["pairs", "condition", "speakers", "clips", "same / different", "EER", "EER centred"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
