"""Which word probability makes a good "low confidence" threshold, measured on the dev set.

For every word the pipeline recognised on the real-speech clips (``wer.py --dump``), the word
is aligned with the reference (after the same normalisation as WER): it is an error when it
is substituted or inserted. For each threshold, "low confidence" (probability below it) is
taken as a prediction of an error: precision (low words that are wrong), recall (wrong words
that are low), F1 and the share of words flagged. The default of the
``low_confidence_threshold`` setting is the threshold with the best F1.

    .venv/bin/python benchmarks/wer.py --no-talk --no-short --dump /tmp/words.json
    .venv/bin/python benchmarks/confidence.py /tmp/words.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import jiwer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from asr_common import normalise, table  # noqa: E402

THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 20)]


def labelled_words(clip: dict) -> list[tuple[float, bool]]:
    """(probability, is an error) for each normalised token of the clip's recognised words."""
    tokens: list[tuple[str, float]] = []
    for word, probability in clip["words"]:
        tokens.extend((t, probability) for t in normalise(word).split())
    reference = normalise(clip["reference"])
    if not tokens or not reference:
        return []
    hypothesis = " ".join(t for t, _ in tokens)
    result = jiwer.process_words(reference, hypothesis)
    wrong = [False] * len(tokens)
    for chunk in result.alignments[0]:
        if chunk.type in ("substitute", "insert"):
            for i in range(chunk.hyp_start_idx, chunk.hyp_end_idx):
                wrong[i] = True
    return [(p, w) for (_, p), w in zip(tokens, wrong, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dump", type=Path, help="wer.py --dump output")
    args = parser.parse_args()
    clips = json.loads(args.dump.read_text(encoding="utf-8"))
    words = [item for clip in clips for item in labelled_words(clip)]
    errors = sum(w for _, w in words)
    rows, best = [], (0.0, None)
    for threshold in THRESHOLDS:
        low = [w for p, w in words if p < threshold]
        hits = sum(low)
        precision = hits / len(low) if low else 0.0
        recall = hits / errors if errors else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best[0]:
            best = (f1, threshold)
        rows.append(
            [
                threshold,
                f"{100 * len(low) / len(words):.1f} %",
                f"{100 * precision:.1f} %",
                f"{100 * recall:.1f} %",
                f"{f1:.3f}",
            ]
        )
    print(
        f"{len(words)} recognised words on {len(clips)} clips, {errors} of them wrong "
        f"({100 * errors / len(words):.1f} %)\n"
    )
    print(table(["threshold", "words flagged", "precision", "recall", "F1"], rows))
    print(f"\nbest F1 {best[0]:.3f} at threshold {best[1]}")


if __name__ == "__main__":
    main()
