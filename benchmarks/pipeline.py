"""Fast at every size (issue 19): start-up, a short talk, a batch of clips, a long talk.

Every figure is measured side by side with its baseline in the same run, ``--rounds`` times
(medians and spreads = max - min), alternating the two, and printed with the machine's load:

* start-up: ``mediaarchive --help`` and ``status`` on an archive of 1,000 assets, this
  checkout against ``--baseline-code`` (default: /work/main, the code before this work);
* short: ``ingest`` of a 2-minute German talk into an existing archive (probe, transcode,
  transcribe, subtitles, index; ``--profile`` gives the non-transcribe share; the archive
  is made by a ``status`` before it, timed apart) against plain faster-whisper as a
  user would script it (bundled model, int8, beam 5, 2 threads, whole process); probe of a
  WAV, this checkout against the baseline code;
* batch: ``ingest --jobs auto`` of a folder of clips of 20-60 s (real speech from
  ``shared/eval/de_speech`` concatenated per speaker, plus generated talks) against a plain
  faster-whisper loop over the same files in one process (2 threads); WER of both;
* long: peak RSS, speed and WER of the transcriber on a 61-minute generated talk (language
  detection plus the first ``--long-minutes``, rounded to whole repeats of the 282 s talk,
  decoded), read window by window, decoding windows of 300 s (before) against 60 s.

Run: .venv/bin/python benchmarks/pipeline.py [--rounds 3] [--parts startup,short,batch,long]
     [--clips 24] [--long-minutes 12]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from asr_common import load_average, normalise, wer  # noqa: E402
from german_talk import PARAGRAPHS, build_talk  # noqa: E402

PYTHON = str(REPO / ".venv" / "bin" / "python")
EVAL = next(
    (p / "shared/eval/de_speech" for p in REPO.parents if (p / "shared/eval/de_speech").exists()),
    None,
)

PLAIN_SCRIPT = r"""
import sys, time, json
from faster_whisper import WhisperModel
sys.path.insert(0, sys.argv[1])
from asr_common import bundled_model_path
model = WhisperModel(str(bundled_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
texts = {}
for path in sys.argv[3:]:
    segments, _ = model.transcribe(path, language="de", beam_size=5)
    texts[path] = " ".join(s.text.strip() for s in segments)
json.dump(texts, open(sys.argv[2], "w"))
"""

MEMORY_SCRIPT = r"""
import sys, time, json, resource
sys.path.insert(0, sys.argv[1])
from mediaarchive.asr.transcriber import DecodingOptions, get_transcriber, load_audio
from mediaarchive.config import Settings
path, windowed, until = sys.argv[2], sys.argv[3] == "windowed", float(sys.argv[4])
began = time.perf_counter()
transcriber = get_transcriber(Settings.load(), threads=2)
audio = load_audio(path, windowed=True) if windowed else load_audio(path)
language = transcriber.detect_language(audio).language
segments, _ = transcriber.transcribe(audio, DecodingOptions(language=language))
texts = []
for segment in segments:
    if segment.start >= until:
        break
    texts.append(segment.text)
seconds = time.perf_counter() - began
print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": seconds, "audio_seconds": until, "text": " ".join(texts)}))
"""


def env_for(code: Path, home: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(code)
    # Bytecode cached as an installed package has it, kept outside the checkouts.
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "bench-pipeline-pyc")
    if home is not None:
        env["MEDIAARCHIVE_HOME"] = str(home)
    env.update(extra)
    return env


#: Where timed commands run: ``python -m``/``-c`` put the working directory first on
#: sys.path, so run from a checkout both sides would import that checkout's code.
NEUTRAL_CWD = tempfile.gettempdir()


def wall(cmd: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run(
        cmd,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=NEUTRAL_CWD,
    )
    return time.perf_counter() - began


def stats(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} s (spread {max(values) - min(values):.3f})"


def ratio(ours: list[float], theirs: list[float]) -> float:
    return statistics.median(ours) / statistics.median(theirs)


def say(text: str) -> None:
    print(f"{text}   [load {load_average()}]", flush=True)


# --- start-up ------------------------------------------------------------------------------


def make_archive(home: Path, assets: int, code: Path) -> None:
    script = f"""
import hashlib, sys
sys.path.insert(0, {str(code)!r})
from mediaarchive.db import Asset, Database, Event, Job, Rendition, Transcript
db = Database("sqlite:///{home}/archive.db")
with db.session() as s:
    event = Event(name="Labcamp 2024")
    s.add(event)
    for i in range({assets}):
        sha = hashlib.sha256(str(i).encode()).hexdigest()
        a = Asset(sha256=sha, size=1000 + i, mime="audio/wav", kind="audio",
                  blob_key="sha256/" + sha, filename=f"t{{i}}.wav", title=f"Talk {{i}}",
                  state="done", probe={{"duration": 100.0}}, speakers=["A"])
        a.events.append(event)
        for n, step in enumerate(["probe", "transcode", "transcribe", "subtitles", "index"]):
            a.jobs.append(Job(step=step, position=n, state="done", seconds=1.2))
        for kind in ["speech_audio", "subtitles"]:
            a.renditions.append(Rendition(kind=kind, label="", sha256=sha,
                                          blob_key=f"b/{{kind}}/{{sha}}", size=10, params={{}}))
        a.transcripts.append(Transcript(model="base", duration=100.0, complete=True,
                                        current=True, provenance={{"x": 1}}))
        s.add(a)
"""
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run([PYTHON, "-c", script], env=env_for(code), check=True)


def startup(rounds: int, baseline: Path, work: Path) -> None:
    home = work / "h1000"
    make_archive(home, 1000, REPO)
    cli = [PYTHON, "-m", "mediaarchive"]
    for name, args in (("--help", ["--help"]), ("status (1,000 assets)", ["status"])):
        ours, theirs = [], []
        for code in (REPO, baseline):
            wall(cli + args, env_for(code, home))  # warm: bytecode written, files cached
        for _ in range(rounds):
            ours.append(wall(cli + args, env_for(REPO, home)))
            theirs.append(wall(cli + args, env_for(baseline, home)))
        say(
            f"start-up {name}: this {stats(ours)}, baseline code {stats(theirs)}, "
            f"ratio {ratio(ours, theirs):.2f}"
        )
    floor = [wall([PYTHON, "-c", "import sqlalchemy.orm"], env_for(REPO)) for _ in range(rounds)]
    say(f"start-up floor: python + import sqlalchemy.orm {stats(floor)}")


# --- short talk ----------------------------------------------------------------------------


def short(rounds: int, baseline: Path, work: Path) -> None:
    talk = work / "talk-2min.wav"
    source, _ = build_talk(1)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(source), "-t", "120", "-c", "copy", str(talk)],
        check=True,
    )
    ours, plain, shares, steps, created = [], [], [], [], []
    for n in range(rounds):
        home, profile = work / f"short{n}", work / f"profile{n}.json"
        # The talk goes into an archive that exists, as an archivist's next talk does; making
        # a new archive (its schema, once per archive) is timed apart.
        created.append(wall([PYTHON, "-m", "mediaarchive", "status"], env_for(REPO, home)))
        ours.append(
            wall(
                [PYTHON, "-m", "mediaarchive", "ingest", str(talk), "--profile", str(profile)],
                env_for(REPO, home),
            )
        )
        data = json.loads(profile.read_text())
        transcribe = next(s["seconds"] for s in data["steps"] if s["step"] == "transcribe")
        steps.append(transcribe)
        shares.append(1 - transcribe / ours[-1])
        plain.append(
            wall(
                [
                    PYTHON,
                    "-c",
                    PLAIN_SCRIPT,
                    str(REPO / "benchmarks"),
                    str(work / "p.json"),
                    str(talk),
                ],
                env_for(REPO),
            )
        )
    say(
        f"short talk (120 s): ingest {stats(ours)}, plain faster-whisper {stats(plain)}, "
        f"ratio {ratio(ours, plain):.2f}; transcribe step {stats(steps)} "
        f"({ratio(steps, plain):.2f} of plain); everything but transcribe "
        f"{statistics.median(shares):.1%} of the ingest; making the archive before it "
        f"(first command in a new home, not in the ingest's time) {stats(created)}"
    )
    print("profile of the last round:\n" + (work / f"profile{rounds - 1}.json").read_text())
    probe = "import sys,time; sys.path.insert(0, sys.argv[1]); from mediaarchive.media.probe import probe_file; from mediaarchive.media.complete import check_complete; t=time.perf_counter(); s=probe_file(sys.argv[2]); check_complete(sys.argv[2], s, 'x', accept=False); print(time.perf_counter()-t)"  # noqa: E501
    for code, name in [(REPO, "this"), (baseline, "baseline code")]:
        times = [
            float(
                subprocess.run(
                    [PYTHON, "-c", probe, str(code), str(talk)],
                    env=env_for(code),
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(rounds)
        ]
        say(f"probe + completeness check of the WAV, {name}: {stats(times)}")


# --- batch ---------------------------------------------------------------------------------


def batch_clips(folder: Path, count: int) -> dict[Path, str]:
    """Clips of 20-60 s: real speech concatenated per speaker, then generated talks."""
    folder.mkdir(parents=True, exist_ok=True)
    references: dict[Path, str] = {}
    rows = list(csv.DictReader(open(EVAL / "manifest.tsv", encoding="utf-8"), delimiter="\t"))
    by_speaker: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_speaker.setdefault(row["speaker_or_source"], []).append(row)
    real = []
    for speaker_rows in by_speaker.values():
        group, seconds = [], 0.0
        for row in speaker_rows:
            group.append(row)
            seconds += float(row["duration_s"])
            if seconds >= 20:
                real.append(group)
                group, seconds = [], 0.0
            if len(real) >= count * 2 // 3:
                break
    for n, group in enumerate(real[: count * 2 // 3]):
        target = folder / f"real{n:02d}.wav"
        listing = folder / f"real{n:02d}.txt"
        listing.write_text("".join(f"file '{EVAL / row['file']}'\n" for row in group))
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
             "-ar", "16000", "-ac", "1", str(target)],
            check=True,
        )  # fmt: skip
        listing.unlink()
        references[target] = " ".join(row["reference_text"] for row in group)
    from mediaarchive import synth

    n = 0
    while len(references) < count:
        text = PARAGRAPHS[n % len(PARAGRAPHS)] + " " + PARAGRAPHS[(n + 1) % len(PARAGRAPHS)]
        target = folder / f"talk{n:02d}.wav"
        shutil.copy(synth.talk_audio([text]), target)
        references[target] = text
        n += 1
    return references


def batch(rounds: int, clips: int, work: Path) -> None:
    folder = work / "clips"
    references = batch_clips(folder, clips)
    files = sorted(references)
    audio = sum(float(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(f)],
        capture_output=True, text=True, check=True).stdout) for f in files)  # fmt: skip
    ours, plain, ours_wer, plain_wer = [], [], [], []
    for n in range(rounds):
        home = work / f"batch{n}"
        ours.append(
            wall(
                [PYTHON, "-m", "mediaarchive", "ingest", str(folder), "--jobs", "auto"],
                env_for(REPO, home),
            )
        )
        texts = []
        listing = json.loads(subprocess.run(
            [PYTHON, "-m", "mediaarchive", "status", "--json"], env=env_for(REPO, home),
            capture_output=True, text=True, check=True).stdout)  # fmt: skip
        by_name = {}
        for entry in listing:
            shown = json.loads(
                subprocess.run(
                    [PYTHON, "-m", "mediaarchive", "show", entry["id"], "--json"],
                    env=env_for(REPO, home),
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            segments = (shown.get("transcript") or {}).get("segments") or []
            by_name[shown["filename"]] = " ".join(s["text"] for s in segments)
        texts = [by_name.get(f.name, "") for f in files]
        ours_wer.append(wer([normalise(references[f]) for f in files], texts))
        out = work / "plain.json"
        plain.append(
            wall(
                [PYTHON, "-c", PLAIN_SCRIPT, str(REPO / "benchmarks"), str(out), *map(str, files)],
                env_for(REPO),
            )
        )
        got = json.loads(out.read_text())
        plain_wer.append(
            wer([normalise(references[f]) for f in files], [got[str(f)] for f in files])
        )
    say(
        f"batch of {len(files)} clips ({audio / 60:.1f} min of audio): ingest --jobs auto "
        f"{stats(ours)}, plain loop {stats(plain)}; throughput ratio "
        f"{ratio(plain, ours):.2f}x; WER ours {statistics.median(ours_wer):.3f}, plain "
        f"{statistics.median(plain_wer):.3f}"
    )


# --- long talk -----------------------------------------------------------------------------


def long(rounds: int, minutes: float, work: Path) -> None:
    """Today's 300 s decoding window against the 60 s default, both reading window by window:
    peak RSS, seconds per audio second and WER over the first whole repeats of the talk."""
    talk, _ = build_talk(13)  # 61 minutes: the 282 s talk 13 times
    once, reference = build_talk(1)
    with wave.open(str(once)) as handle:
        one = handle.getnframes() / handle.getframerate()
    repeats = max(1, round(minutes * 60 / one))
    until = repeats * one
    modes = {"window 300 s (before)": "300", "window 60 s (default)": "60"}
    results: dict[str, list[dict[str, float | str]]] = {mode: [] for mode in modes}
    for _ in range(rounds):
        for mode, window in modes.items():
            out = subprocess.run(
                [PYTHON, "-c", MEMORY_SCRIPT, str(REPO), str(talk), "windowed", str(until)],
                env=env_for(REPO, MEDIAARCHIVE_ASR_WINDOW=window),
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results[mode].append(json.loads(out.splitlines()[-1]))
    expected = " ".join([reference] * repeats)
    for mode, runs in results.items():
        rss = [float(r["rss_mb"]) for r in runs]
        rtf = [float(r["seconds"]) / float(r["audio_seconds"]) for r in runs]
        error = wer([expected], [str(runs[-1]["text"])])
        say(
            f"long talk (61 min), {mode}: peak RSS median {statistics.median(rss):.0f} MB "
            f"(spread {max(rss) - min(rss):.0f}), {statistics.median(rtf):.3f} s per audio "
            f"second (spread {max(rtf) - min(rtf):.3f}) and WER {error:.3f} over the first "
            f"{until / 60:.1f} min"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parts", default="startup,short,batch,long")
    parser.add_argument("--clips", type=int, default=24)
    parser.add_argument("--long-minutes", type=float, default=12.0)
    parser.add_argument("--baseline-code", type=Path, default=Path("/work/main"))
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        work = Path(tmp)
        if "startup" in parts:
            startup(args.rounds, args.baseline_code, work)
        if "short" in parts:
            short(args.rounds, args.baseline_code, work)
        if "batch" in parts:
            batch(args.rounds, args.clips, work)
        if "long" in parts:
            long(args.rounds, args.long_minutes, work)


if __name__ == "__main__":
    main()
