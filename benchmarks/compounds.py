"""German compound splitting: the Hunspell-dictionary splitter against CharSplit.

Scores split points on the hand-written list ``benchmarks/data/compounds_de.tsv`` (see its
header): precision (split points made that are right), recall (right split points found),
words split exactly right, and words that must not split but were. CharSplit
(``compound-split`` on PyPI, a statistical splitter: ngram probabilities from Wikipedia) only
splits in two; it is applied again to both halves while its score stays above a threshold.

    .venv/bin/python benchmarks/compounds.py [--errors]

Needs ``hunspell-de-de`` (Debian) and, for the comparison, ``pip install compound-split``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mediaarchive.search.compounds import split_compound  # noqa: E402
from mediaarchive.search.german import fold_word  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "compounds_de.tsv"


def read_gold() -> list[tuple[str, set[int], set[int], str]]:
    """(word, required split points, points also accepted, kind) per line, folded offsets.

    A split point is the number of folded letters before it. Around a linking element both
    edges are accepted, but only one is required (the right edge, after the element).
    """
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("word\t"):
            continue
        word, split, kind = line.split("\t")
        required: set[int] = set()
        accepted: set[int] = set()
        offset = 0  # in the word as written; folded at each split point ("Frauen" → "fraun")
        parts = split.split("|")
        for part in parts[:-1]:
            base, _, link = part.partition("+")
            offset += len(base)
            if link:
                accepted.add(len(fold_word(word[:offset])))
                offset += len(link)
            required.add(len(fold_word(word[:offset])))
        accepted |= required
        rows.append((word, required, accepted, kind))
    return rows


def points(parts: list[str]) -> set[int]:
    result, offset = set(), 0
    for part in parts[:-1]:
        offset += len(part)
        result.add(offset)
    return result


def hunspell_splitter(word: str) -> list[str]:
    return list(split_compound(fold_word(word), fold_word)) or [fold_word(word)]


def charsplit_splitter(threshold: float) -> Callable[[str], list[str]]:
    from compound_split import char_split

    def split(word: str, depth: int = 0) -> list[str]:
        if len(word) < 6 or depth > 3:
            return [word]
        candidates = char_split.split_compound(word)
        if not candidates:
            return [word]
        score, left, right = candidates[0]
        if score < threshold or left == word:
            return [word]
        # CharSplit capitalises the parts and may drop a linking element: keep the letters.
        cut = len(word) - len(right)
        return split(word[:cut], depth + 1) + split(word[cut:], depth + 1)

    return lambda word: [fold_word(p) for p in split(word)]


def evaluate(name: str, splitter: Callable[[str], list[str]], gold, show_errors: bool) -> None:  # type: ignore[no-untyped-def]
    made = right = needed = found = exact = 0
    oversplit = no_split_words = 0
    errors = []
    started = time.perf_counter()
    for word, required, accepted, _kind in gold:
        parts = splitter(word)
        if "".join(parts) != fold_word(word):
            parts = [fold_word(word)]  # a splitter that changed the letters: no split
        predicted = points(parts)
        made += len(predicted)
        right += len(predicted & accepted)
        needed += len(required)
        # A required point counts as found when it or its linking element's other edge is.
        found += sum(1 for p in required if p in predicted or (accepted - required) & predicted)
        ok = predicted <= accepted and len(predicted) == len(required)
        exact += ok
        if not required:
            no_split_words += 1
            oversplit += bool(predicted)
        if not ok:
            errors.append(f"{word}: {'|'.join(parts)}")
    seconds = time.perf_counter() - started
    precision = right / made if made else 1.0
    recall = found / needed if needed else 1.0
    print(
        f"{name:28} precision {precision:6.1%}  recall {recall:6.1%}"
        f"  words right {exact}/{len(gold)} ({exact / len(gold):.1%})"
        f"  must-not-split split {oversplit}/{no_split_words}"
        f"  {seconds * 1000 / len(gold):.2f} ms/word"
    )
    if show_errors:
        for error in errors:
            print("   ", error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="List the words split wrongly.")
    args = parser.parse_args()
    gold = read_gold()
    compounds = sum(1 for row in gold if row[1])
    print(f"{len(gold)} words ({compounds} compounds, {len(gold) - compounds} must not split)\n")
    evaluate("hunspell de_DE (ours)", hunspell_splitter, gold, args.errors)
    try:
        import compound_split  # noqa: F401
    except ImportError:
        print("CharSplit: not installed (pip install compound-split)")
        return
    for threshold in (0.5, 0.0, -0.5):
        evaluate(
            f"CharSplit (score >= {threshold})", charsplit_splitter(threshold), gold, args.errors
        )


if __name__ == "__main__":
    main()
