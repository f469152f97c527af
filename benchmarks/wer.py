"""Word error rate of the pipeline against plain faster-whisper, on the same audio, in one run.

Real human German speech: ``../shared/eval/de_speech`` (374 clips; EmoDB reported apart from
the rest, see its README) — read in place, never copied into the repository. Generated
speech: the benchmark talk (several espeak-ng voices, pauses), also with the talk's names
given as metadata and glossary, where the share of names and jargon that come out right is
reported too. Texts are normalised fairly (case, punctuation, numbers spelled out).

    .venv/bin/python benchmarks/wer.py                    # all 374 clips + the talk
    .venv/bin/python benchmarks/wer.py --per-subset 10    # a quick subset while developing
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from asr_common import plain_transcribe, table, wer  # noqa: E402
from german_talk import GLOSSARY, build_talk  # noqa: E402

from mediaarchive.asr.transcriber import (  # noqa: E402
    DecodingOptions,
    build_prompt,
    get_transcriber,
    load_audio,
)
from mediaarchive.config import Settings, cpu_count  # noqa: E402

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "de_speech"
SUBSET_ORDER = ["emodb", "thorsten", "picovoice", "voxforge", "inprotk"]


def eval_dir() -> Path:
    for candidate in (EVAL, Path("/work/shared/eval/de_speech")):
        if (candidate / "manifest.tsv").is_file():
            return candidate
    raise SystemExit(f"evaluation set not found at {EVAL}")


def load_clips(per_subset: int | None) -> list[dict[str, str]]:
    folder = eval_dir()
    with open(folder / "manifest.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    taken: dict[str, int] = defaultdict(int)
    clips = []
    for row in rows:
        subset = row["id"].split("_", 1)[0]
        if per_subset is not None and taken[subset] >= per_subset:
            continue
        taken[subset] += 1
        clips.append({**row, "subset": subset, "path": str(folder / row["file"])})
    return clips


def term_hits(reference: str, hypothesis: str, terms: list[str]) -> float:
    """Share of the terms' occurrences in the reference that the hypothesis has too."""
    ref, hyp = reference.lower(), hypothesis.lower()
    wanted = sum(ref.count(t.lower()) for t in terms)
    found = sum(min(ref.count(t.lower()), hyp.count(t.lower())) for t in terms)
    return found / wanted if wanted else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--per-subset", type=int, default=None, help="Use only the first N clips of each subset."
    )
    parser.add_argument("--no-talk", action="store_true", help="Skip the generated talk.")
    args = parser.parse_args()

    settings = Settings.load()
    transcriber = get_transcriber(settings, threads=cpu_count())
    if transcriber.compute_type == "int8":
        plain_model = transcriber.whisper  # the baseline's own settings: share the weights
    else:
        from faster_whisper import WhisperModel

        plain_model = WhisperModel(
            str(transcriber.model.path), device="cpu", compute_type="int8", cpu_threads=cpu_count()
        )
    options = DecodingOptions(batch_size=settings.asr_batch_size, beam_size=settings.asr_beam_size)

    clips = load_clips(args.per_subset)
    refs: dict[str, list[str]] = defaultdict(list)
    hyps: dict[str, dict[str, list[str]]] = {
        "baseline": defaultdict(list),
        "pipeline": defaultdict(list),
    }
    seconds = {"baseline": 0.0, "pipeline": 0.0}
    audio_seconds = 0.0
    for i, clip in enumerate(clips, 1):
        audio = load_audio(Path(clip["path"]))
        audio_seconds += len(audio) / 16000
        began = time.perf_counter()
        plain_text, _ = plain_transcribe(plain_model, audio)
        seconds["baseline"] += time.perf_counter() - began
        began = time.perf_counter()
        segments, _ = transcriber.transcribe(audio, options)
        ours = " ".join(s.text for s in segments)
        seconds["pipeline"] += time.perf_counter() - began
        refs[clip["subset"]].append(clip["reference_text"])
        hyps["baseline"][clip["subset"]].append(plain_text)
        hyps["pipeline"][clip["subset"]].append(ours)
        if i % 50 == 0:
            print(f"{i}/{len(clips)} clips", file=sys.stderr, flush=True)

    groups = [s for s in SUBSET_ORDER if s in refs]
    rows = []
    for label, members in [
        *[(s, [s]) for s in groups],
        ("all but emodb", [s for s in groups if s != "emodb"]),
        ("overall", groups),
    ]:
        ref = [r for s in members for r in refs[s]]
        row = [label, len(ref)]
        for system in ("baseline", "pipeline"):
            hyp = [h for s in members for h in hyps[system][s]]
            row.append(f"{100 * wer(ref, hyp):.1f} %")
        rows.append(row)
    print(
        f"\nReal German speech ({len(clips)} clips, {audio_seconds / 60:.1f} min), "
        f"model base, {transcriber.compute_type} for the pipeline, int8 for the baseline\n"
    )
    print(table(["subset", "clips", "plain faster-whisper WER", "pipeline WER"], rows))
    print(
        f"\ndecoding time: baseline {seconds['baseline']:.0f} s, pipeline "
        f"{seconds['pipeline']:.0f} s (RTF {seconds['baseline'] / audio_seconds:.3f} vs "
        f"{seconds['pipeline'] / audio_seconds:.3f}; short clips, so batching helps little)"
    )

    if args.no_talk:
        return
    path, reference = build_talk()
    audio = load_audio(path)
    plain_text, _ = plain_transcribe(plain_model, audio)
    segments, _ = transcriber.transcribe(audio, options)
    ours = " ".join(s.text for s in segments)
    prompt, hotwords = build_prompt(
        event="Labcamp",
        title="Lebenszyklen von Innovationslaboren",
        speakers=["Mark Hallerberg", "Michael Hölscher"],
        glossary=GLOSSARY,
    )
    prompted = DecodingOptions(
        batch_size=options.batch_size,
        beam_size=options.beam_size,
        initial_prompt=prompt,
        hotwords=hotwords,
    )
    segments, _ = transcriber.transcribe(audio, prompted)
    with_names = " ".join(s.text for s in segments)
    rows = [
        [
            name,
            f"{100 * wer([reference], [text]):.1f} %",
            f"{100 * term_hits(reference, text, GLOSSARY):.0f} %",
        ]
        for name, text in [
            ("plain faster-whisper", plain_text),
            ("pipeline", ours),
            ("pipeline + metadata/glossary", with_names),
        ]
    ]
    print(f"\nGenerated talk ({len(audio) / 16000:.0f} s, espeak-ng voices, pauses)\n")
    print(table(["system", "WER", "names/jargon right"], rows))


if __name__ == "__main__":
    main()
