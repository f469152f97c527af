"""Speed, accuracy and memory of the transcription pipeline against plain faster-whisper.

The same ~5-minute German talk (espeak-ng voices, pauses up to 18 s) goes through the
baseline — ``WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=<cores>)
.transcribe(audio, language="de", beam_size=5)`` as a user would script it — and through
the pipeline's transcriber, each in its own process (so peak memory is its own), in one
run. Variants show why the pipeline decodes the way it does. Finally the pipeline runs a
60-minute talk for its peak memory.

    .venv/bin/python benchmarks/transcribe.py            # everything (~10 min on 2 cores)
    .venv/bin/python benchmarks/transcribe.py --quick    # baseline and pipeline only
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from asr_common import (  # noqa: E402
    bundled_model_path,
    peak_rss_mb,
    plain_transcribe,
    table,
    wer,
)
from german_talk import build_talk  # noqa: E402

from mediaarchive.config import cpu_count  # noqa: E402

VARIANTS = {
    "baseline": "plain WhisperModel int8, beam 5 (the baseline)",
    "plain-float32": "plain WhisperModel float32, beam 5",
    "pipeline": "pipeline: batched (8) + VAD + word times + guards, compute type auto",
    "pipeline-float32": "pipeline, compute type float32",
    "pipeline-sequential": "pipeline decoding sequentially (batch 0), compute type auto",
}
#: Repeats of the talk for the long-recording memory test (13 x 4.7 min = 61 min).
LONG_REPEAT = 13


def run_variant(name: str, repeat: int) -> dict[str, object]:
    """Run one variant in this process and return its measurements."""
    audio_path, reference = build_talk(repeat=repeat)
    cores = cpu_count()
    began = time.perf_counter()
    if name.startswith("plain") or name == "baseline":
        from faster_whisper import WhisperModel, decode_audio

        compute = "float32" if name == "plain-float32" else "int8"
        model = WhisperModel(
            str(bundled_model_path()), device="cpu", compute_type=compute, cpu_threads=cores
        )
        audio = decode_audio(str(audio_path))
        text, raw = plain_transcribe(model, audio)
        spans = [(s.start, s.end) for s in raw]
        words = 0
        duration = len(audio) / 16000
    else:
        from mediaarchive.asr.transcriber import DecodingOptions, get_transcriber, load_audio
        from mediaarchive.config import Settings

        overrides = {"compute_type": "float32"} if name == "pipeline-float32" else {}
        settings = Settings.load(**overrides)
        transcriber = get_transcriber(settings, threads=cores)
        compute = transcriber.compute_type
        audio = load_audio(audio_path)
        batch = 0 if name == "pipeline-sequential" else settings.asr_batch_size
        segments, _guard = transcriber.transcribe(audio, DecodingOptions(batch_size=batch))
        segments = list(segments)
        text = " ".join(s.text for s in segments)
        spans = [(s.start, s.end) for s in segments]
        words = sum(len(s.words) for s in segments)
        duration = len(audio) / 16000
    wall = time.perf_counter() - began
    lengths = [end - start for start, end in spans] or [0.0]
    return {
        "variant": name,
        "compute_type": compute,
        "threads": cores,
        "audio_s": duration,
        "wall_s": wall,
        "rtf": wall / duration,
        "wer": wer([reference], [text]),
        "segments": len(spans),
        "median_segment_s": statistics.median(lengths),
        "max_segment_s": max(lengths),
        "words_timed": words,
        "peak_rss_mb": peak_rss_mb(),
    }


def in_child(name: str, repeat: int = 1) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, __file__, "--variant", name, "--repeat", str(repeat)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"variant {name} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variant", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="Baseline and pipeline only.")
    parser.add_argument("--no-long", action="store_true", help="Skip the 60-minute run.")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="Runs of baseline and pipeline, alternating; the fastest counts "
        "(the machine is shared: load changes between runs).",
    )
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.repeat)))
        return

    audio, _ = build_talk()
    build_talk(repeat=LONG_REPEAT) if not args.no_long else None
    names = ["baseline", "pipeline"] if args.quick else list(VARIANTS)
    results: dict[str, dict[str, object]] = {}
    for round_ in range(args.rounds):
        for name in names if round_ == 0 else ["baseline", "pipeline"]:
            print(f"running {name} (round {round_ + 1})…", file=sys.stderr, flush=True)
            result = in_child(name)
            if name not in results or result["wall_s"] < results[name]["wall_s"]:
                results[name] = result
    base = results["baseline"]
    rows = []
    for name, r in results.items():
        rows.append(
            [
                name,
                r["compute_type"],
                f"{r['wall_s']:.1f}",
                f"{r['rtf']:.3f}",
                f"{r['wall_s'] / base['wall_s']:.2f}x",
                f"{100 * r['wer']:.1f} %",
                r["segments"],
                f"{r['median_segment_s']:.1f}",
                f"{r['max_segment_s']:.1f}",
                r["words_timed"],
                f"{r['peak_rss_mb']:.0f}",
            ]
        )
    print(
        f"\nTalk: {audio.name}, {base['audio_s']:.0f} s of German speech with pauses, "
        f"{base['threads']} threads\n"
    )
    print(
        table(
            [
                "variant",
                "compute",
                "wall s",
                "RTF",
                "vs baseline",
                "WER",
                "segments",
                "median seg s",
                "max seg s",
                "words timed",
                "peak RSS MB",
            ],
            rows,
        )
    )
    pipeline = results["pipeline"]
    ratio = pipeline["wall_s"] / base["wall_s"]
    print(
        f"\npipeline / baseline wall time: {ratio:.2f} (target <= 0.60) — "
        f"{'met' if ratio <= 0.6 else 'NOT met'}; WER {100 * pipeline['wer']:.1f} % vs "
        f"{100 * base['wer']:.1f} % — "
        f"{'no worse' if pipeline['wer'] <= base['wer'] + 1e-9 else 'WORSE'}"
    )
    if not args.no_long:
        print(f"\nrunning pipeline on a {LONG_REPEAT}x talk…", file=sys.stderr, flush=True)
        long = in_child("pipeline", LONG_REPEAT)
        print(
            table(
                ["recording", "audio min", "wall s", "RTF", "WER", "peak RSS MB"],
                [
                    [
                        f"{LONG_REPEAT}x talk",
                        f"{long['audio_s'] / 60:.1f}",
                        f"{long['wall_s']:.0f}",
                        f"{long['rtf']:.3f}",
                        f"{100 * long['wer']:.1f} %",
                        f"{long['peak_rss_mb']:.0f}",
                    ]
                ],
            )
        )
        print(
            f"peak RSS {long['peak_rss_mb']:.0f} MB (target < 1500) — "
            f"{'met' if long['peak_rss_mb'] < 1500 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
