"""Reference voice embeddings from the original Resemblyzer package (torch), for the numpy port.

Run once, in a throwaway environment OUTSIDE the project (the project never installs torch,
librosa or webrtcvad); the output is committed as ``tests/asr/data/voice_reference.npz`` and
``tests/asr/test_voice.py`` checks the port against it (cosine >= 0.999):

    python3 -m venv /tmp/rz-env
    /tmp/rz-env/bin/pip install torch==2.13.0 resemblyzer==0.1.4   # CPU torch from this disk
    /tmp/rz-env/bin/python benchmarks/speaker_reference.py           # writes the fixture

Twenty clips of ``../shared/eval/de_speech`` (read in place, never copied): one of each EmoDB
actor, three Thorsten, the four Picovoice, two VoxForge, the InproTK clip. For each clip two
embeddings: ``plain`` = ``embed_utterance`` of the clip after Resemblyzer's volume
normalisation (what the port must reproduce exactly: same front end, same network), and
``preprocessed`` = ``embed_utterance(preprocess_wav(clip))``, i.e. with Resemblyzer's
webrtcvad silence trimming, which the project replaces by Silero VAD (compared, not required
to match).
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "eval" / "de_speech"
OUT = REPO / "tests" / "asr" / "data" / "voice_reference.npz"


def pick_clips(manifest: Path) -> list[tuple[str, str]]:
    """(id, file) of the 20 clips, chosen by rule so the choice can be repeated."""
    rows = list(csv.DictReader(open(manifest, encoding="utf-8"), delimiter="\t"))
    by_speaker: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["id"]):
        by_speaker[row["speaker_or_source"].split(",")[0]].append(row)
    chosen: list[dict[str, str]] = []
    for speaker, clips in sorted(by_speaker.items()):
        if speaker.startswith("EmoDB"):
            chosen.append(clips[0])
    chosen += [r for r in sorted(rows, key=lambda r: r["id"]) if r["id"].startswith("thorsten")][:3]
    for prefix in ("picovoice", "voxforge", "inprotk"):
        chosen += [r for r in sorted(rows, key=lambda r: r["id"]) if r["id"].startswith(prefix)]
    return [(r["id"], r["file"]) for r in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    try:
        import librosa
        import resemblyzer
    except ImportError:
        # `make bench` runs every script in the project's venv, which has no torch on purpose.
        print("speaker_reference.py runs only in the throwaway torch venv (see its docstring)")
        return
    from resemblyzer import VoiceEncoder, preprocess_wav
    from resemblyzer.audio import normalize_volume
    from resemblyzer.hparams import audio_norm_target_dBFS

    encoder = VoiceEncoder(device="cpu")
    clips = pick_clips(args.data / "manifest.tsv")
    ids, plain, preprocessed = [], [], []
    for clip_id, file in clips:
        wav, sr = librosa.load(str(args.data / file), sr=None)
        assert sr == 16000, f"{file}: {sr} Hz"
        plain.append(
            encoder.embed_utterance(
                normalize_volume(wav, audio_norm_target_dBFS, increase_only=True)
            )
        )
        preprocessed.append(encoder.embed_utterance(preprocess_wav(wav)))
        ids.append(clip_id)
        print(clip_id, f"{len(wav) / sr:.2f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        ids=np.array(ids),
        plain=np.array(plain, dtype=np.float32),
        preprocessed=np.array(preprocessed, dtype=np.float32),
        versions=np.array(
            [
                f"resemblyzer {getattr(resemblyzer, '__version__', '0.1.4')}",
                f"librosa {librosa.__version__}",
                f"torch {__import__('torch').__version__}",
            ]
        ),
    )
    print(f"wrote {args.out} ({len(ids)} clips)")


if __name__ == "__main__":
    main()
