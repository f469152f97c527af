"""Word error rate of the pipeline against plain faster-whisper, on the same audio, in one run.

Real human German speech: ``../shared/eval/de_speech`` (374 clips; EmoDB reported apart from
the rest, see its README) — read in place, never copied into the repository. Generated
speech: the benchmark talk (several espeak-ng voices, pauses), also with the talk's names
given as metadata and glossary in two prompt forms, where the share of names and jargon that
come out right is reported too. Then the short-clip set (3–20 s espeak-ng clips with and
without metadata, titles that are file names among them): the share of clips whose
transcript is empty or the prompt echoed (target 0 %). Texts are normalised fairly (case,
punctuation, numbers spelled out). "Plain" is defined once, in ``asr_common.PLAIN``.

    .venv/bin/python benchmarks/wer.py                    # all 374 clips + talk + short clips
    .venv/bin/python benchmarks/wer.py --per-subset 10    # a quick subset while developing
    .venv/bin/python benchmarks/wer.py --dump words.json  # words and probabilities too
                                                          # (for benchmarks/confidence.py)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from asr_common import load_average, plain_model, plain_transcribe, table, wer  # noqa: E402
from german_talk import GLOSSARY, build_talk  # noqa: E402

from mediaarchive import synth  # noqa: E402
from mediaarchive.asr.prompt import build_prompt, is_echo  # noqa: E402
from mediaarchive.asr.transcriber import (  # noqa: E402
    DecodingOptions,
    get_transcriber,
    load_audio,
)
from mediaarchive.config import Settings, cpu_count  # noqa: E402

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "de_speech"
SUBSET_ORDER = ["emodb", "thorsten", "picovoice", "voxforge", "inprotk"]

#: The short-clip set: (text, title, event, speakers); titles that are file names included.
SHORT_CLIPS = [
    (
        "Das Stadtlabor arbeitet mit der Universität zusammen.",
        "video-3f2a9c81d0.mp4",
        "Labcamp 4",
        [],
    ),
    ("Willkommen im Innovationslabor der Stadt. Heute zeigen wir den Prototypen.", None, None, []),
    ("Zum Schluss danken wir allen Teilnehmenden des Labcamps.", "IMG_2041", "Labcamp 4", []),
    (
        "Mit einem Impuls von Professor Mark Hallerberg haben wir eine neue Themenreihe begonnen. "
        "Gemeinsam haben wir überlegt, womit das ideale Labor starten würde.",
        "mueller-impuls.mp3",
        None,
        ["Jürgen Müller"],
    ),
    (
        "Die Hertie School in Berlin bereitet junge Menschen auf Führungsaufgaben vor.",
        "Keynote",
        "Labcamp 5",
        ["Mark Hallerberg"],
    ),
    ("Wir danken allen Mitwirkenden für die offene Diskussion.", "Abschluss", None, []),
    (
        "Am Nachmittag haben wir in kleinen Gruppen an neuen Angeboten gearbeitet.",
        "GX010123.MP4",
        "Labcamp 4",
        [],
    ),
    (
        "Das Stadtlabor ist eine Einrichtung der Stadt Soest und wird im Rahmen des Projektes "
        "Digitale Modellkommunen gefördert.",
        "Stadtlabor Soest",
        "Labcamp 4",
        ["Michael Hölscher"],
    ),
]


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


def sentence_prompt(
    event: str | None, title: str | None, speakers: list[str], terms: list[str]
) -> str:
    """The prompt form used before issue 15 (for the comparison): sentences, title as given."""
    parts = [f"{x.strip().rstrip('.')}." for x in (event, title) if x]
    if speakers:
        parts.append(f"Mit {', '.join(speakers)}.")
    if terms:
        parts.append(f"{', '.join(terms)}.")
    return " ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--per-subset", type=int, default=None, help="Use only the first N clips of each subset."
    )
    parser.add_argument("--no-clips", action="store_true", help="Skip the real-speech clips.")
    parser.add_argument("--no-talk", action="store_true", help="Skip the generated talk.")
    parser.add_argument("--no-short", action="store_true", help="Skip the short-clip set.")
    parser.add_argument("--dump", type=Path, help="Write each clip's texts and words as JSON.")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads for both systems (default: all cores; fewer on a loaded machine).",
    )
    parser.add_argument(
        "--sequential-up-to",
        type=float,
        default=None,
        help="The pipeline's sequential_up_to (default: DecodingOptions' own).",
    )
    args = parser.parse_args()

    settings = Settings.load()
    threads = args.threads or cpu_count()
    transcriber = get_transcriber(settings, threads=threads)
    # The baseline's own settings; the weights are shared when the pipeline runs int8 too.
    baseline = (
        transcriber.whisper if transcriber.compute_type == "int8" else plain_model(threads=threads)
    )
    extra = {} if args.sequential_up_to is None else {"sequential_up_to": args.sequential_up_to}
    options = DecodingOptions(
        batch_size=settings.asr_batch_size, beam_size=settings.asr_beam_size, **extra
    )
    print(
        f"load average at start: {load_average()} ({cpu_count()} cores, {threads} threads "
        f"each); pipeline options: {options.to_json()}"
    )

    if not args.no_clips:
        real_speech(transcriber, baseline, options, args.per_subset, args.dump)
    if not args.no_talk:
        talk(transcriber, baseline, options)
    if not args.no_short:
        short_clips(transcriber, options)


def real_speech(
    transcriber: Any,
    baseline: Any,
    options: DecodingOptions,
    per_subset: int | None,
    dump_to: Path | None,
) -> None:
    clips = load_clips(per_subset)
    refs: dict[str, list[str]] = defaultdict(list)
    hyps: dict[str, dict[str, list[str]]] = {
        "baseline": defaultdict(list),
        "pipeline": defaultdict(list),
    }
    seconds = {"baseline": 0.0, "pipeline": 0.0}
    dump: list[dict[str, Any]] = []
    audio_seconds = 0.0
    for i, clip in enumerate(clips, 1):
        audio = load_audio(Path(clip["path"]))
        audio_seconds += len(audio) / 16000
        began = time.perf_counter()
        plain_text, _ = plain_transcribe(baseline, audio)
        seconds["baseline"] += time.perf_counter() - began
        began = time.perf_counter()
        segments, _ = transcriber.transcribe(audio, options)
        segments = list(segments)
        ours = " ".join(s.text for s in segments)
        seconds["pipeline"] += time.perf_counter() - began
        refs[clip["subset"]].append(clip["reference_text"])
        hyps["baseline"][clip["subset"]].append(plain_text)
        hyps["pipeline"][clip["subset"]].append(ours)
        dump.append(
            {
                "id": clip["id"],
                "subset": clip["subset"],
                "reference": clip["reference_text"],
                "plain": plain_text,
                "pipeline": ours,
                "words": [[w.word, w.probability] for s in segments for w in s.words],
            }
        )
        if i % 50 == 0:
            print(f"{i}/{len(clips)} clips (load {load_average()})", file=sys.stderr, flush=True)
    if dump_to:
        dump_to.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")

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
        f"{seconds['pipeline'] / audio_seconds:.3f}; load {load_average()}, so timings are "
        "taken under load)"
    )


def talk(transcriber: Any, baseline: Any, options: DecodingOptions) -> None:
    path, reference = build_talk()
    audio = load_audio(path)
    began = time.perf_counter()
    plain_text, _ = plain_transcribe(baseline, audio)
    plain_seconds = time.perf_counter() - began
    results = [("plain faster-whisper", plain_text, plain_seconds)]
    speakers = ["Mark Hallerberg", "Michael Hölscher"]
    prompts = {
        "pipeline": None,
        "pipeline + metadata, sentences (before)": sentence_prompt(
            "Labcamp", "Lebenszyklen von Innovationslaboren", speakers, GLOSSARY
        ),
        "pipeline + metadata, comma list (now)": build_prompt(
            event="Labcamp",
            title="Lebenszyklen von Innovationslaboren",
            speakers=speakers,
            glossary=GLOSSARY,
        )[0],
    }
    for name, prompt in prompts.items():
        prompted = DecodingOptions(**{**options.to_json(), "initial_prompt": prompt})
        began = time.perf_counter()
        segments, _ = transcriber.transcribe(audio, prompted)
        text = " ".join(s.text for s in segments)
        results.append((name, text, time.perf_counter() - began))
    rows = [
        [
            name,
            f"{100 * wer([reference], [text]):.1f} %",
            f"{100 * term_hits(reference, text, GLOSSARY):.0f} %",
            f"{took:.0f} s",
            f"{took / plain_seconds:.2f}×",
        ]
        for name, text, took in results
    ]
    print(f"\nGenerated talk ({len(audio) / 16000:.0f} s, espeak-ng voices, pauses)\n")
    print(table(["system", "WER", "names/jargon right", "wall time", "× plain"], rows))
    print(f"(load {load_average()}: wall times taken under load)")


def short_clips(transcriber: Any, options: DecodingOptions) -> None:
    rows = []
    bad = 0
    for text, title, event, speakers in SHORT_CLIPS:
        audio = load_audio(synth.speech_wav(text))
        prompt, _ = build_prompt(event=event, title=title, speakers=speakers)
        prompted = DecodingOptions(**{**options.to_json(), "initial_prompt": prompt})
        segments, _ = transcriber.transcribe(audio, prompted)
        said = " ".join(s.text for s in segments)
        echoed = is_echo(said, sentence_prompt(event, title, speakers, []) or None)
        empty = not said.strip()
        bad += empty or echoed
        rows.append(
            [
                f"{len(audio) / 16000:.0f} s",
                title or "–",
                "empty" if empty else "echo" if echoed else f"{100 * wer([text], [said]):.0f} %",
                said[:60],
            ]
        )
    print(f"\nShort clips ({len(SHORT_CLIPS)}, with and without metadata)\n")
    print(table(["length", "title", "WER / failure", "transcript (start)"], rows))
    print(f"\nempty or echoed: {bad}/{len(SHORT_CLIPS)} ({100 * bad / len(SHORT_CLIPS):.0f} %)")


if __name__ == "__main__":
    main()
