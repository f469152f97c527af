"""German compounds split by the Hunspell de_DE dictionary (Debian's ``hunspell-de-de``).

The dictionary (igerman98) marks which word forms may start a compound (flag ``x``), stand
in its middle (``y``) or end it (``z``), directly or through an affix rule; linking elements
are part of those forms (``Innovations``, ``Straßen``, ``jahres``). A word is split into
the fewest parts that read begin, middle…, end, every part at least ``MIN_PART`` letters:
``anwohnerparkausweis`` → ``anwohner park ausweis``; a word with no such reading is not a
compound (``apparat``: there is no start form ``appa``).

Only the dictionary's flags are used, not a Hunspell binding: a set look-up per candidate
part is fast, needs no compiled library, and the search index must not depend on a
spell-checker's suggestions. Splits are memoised per word (talk vocabulary repeats).

The dictionary is read from the system (``/usr/share/hunspell/de_DE.dic`` and ``.aff``, or
the ``MEDIAARCHIVE_HUNSPELL_DE`` path without the extension); it is GPL and not copied into
the project. Without it, nothing is split: search still works, compound parts are not
found, a warning is logged once, and ``dictionary_tag`` says ``nodict`` so the index is
rebuilt when the dictionary appears.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

__all__ = [
    "DEFAULT_DICTIONARY",
    "MAX_WORD",
    "MIN_PART",
    "CompoundDictionary",
    "dictionary_path",
    "dictionary_tag",
    "load_dictionary",
    "split_compound",
]

log = logging.getLogger(__name__)

DEFAULT_DICTIONARY = Path("/usr/share/hunspell/de_DE")
#: Shortest part (letters, folded): "Ei", "Uhr" are real, "ab", "an" would split too much.
MIN_PART = 3
#: Longer "words" are not split (a 200-letter run of letters is no compound anyone says).
MAX_WORD = 60

#: Bump when what ``load_dictionary`` makes of the files changes, folding included (the
#: cache is per format).
_FORMAT = "v1"

_BEGIN, _MIDDLE, _END = "x", "y", "z"
_FORBIDDEN = "d"
_COMPOUND_FLAGS = frozenset(_BEGIN + _MIDDLE + _END)
_NEEDAFFIX = "h"
_SUFFIX_LIKE_ENDS = frozenset({"schaft", "schaften", "schafts"})
_TAKES_LINKING_S = ("ung", "heit", "keit", "schaft", "ion", "tät", "ling", "tum", "sicht")


def dictionary_path() -> Path:
    """The dictionary's path without extension (``MEDIAARCHIVE_HUNSPELL_DE`` overrides)."""
    return Path(os.environ.get("MEDIAARCHIVE_HUNSPELL_DE") or DEFAULT_DICTIONARY)


@lru_cache(maxsize=4)
def dictionary_tag(path: Path | None = None) -> str:
    """What the index must be rebuilt for: the dictionary files' hash, or ``nodict``."""
    path = path or dictionary_path()
    digest = hashlib.sha256()
    try:
        for suffix in (".aff", ".dic"):
            with open(path.with_suffix(suffix), "rb") as file:
                digest.update(hashlib.file_digest(file, "sha256").digest())
    except OSError:
        return "nodict"
    return f"hunspell-de-{digest.hexdigest()[:12]}"


class _Rule:
    __slots__ = ("strip", "add", "flags", "condition")

    def __init__(self, strip: str, add: str, flags: str, condition: re.Pattern[str]) -> None:
        self.strip, self.add, self.flags, self.condition = strip, add, flags, condition


def _read_affixes(path: Path) -> tuple[dict[str, list[_Rule]], dict[str, list[_Rule]]]:
    """Suffix and prefix rules by flag (single-character flags, as de_DE uses)."""
    suffixes: dict[str, list[_Rule]] = {}
    prefixes: dict[str, list[_Rule]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[0] not in ("SFX", "PFX"):
            continue
        kind, flag, strip, add, condition = fields[:5]
        add, _, flags = add.partition("/")
        strip = "" if strip == "0" else strip
        add = "" if add == "0" else add
        if "-" in add or "." in add:
            continue  # hyphenated forms: the tokenizer splits at hyphens anyway
        if kind == "SFX":
            pattern = re.compile(("" if condition == "." else condition) + "$")
            suffixes.setdefault(flag, []).append(_Rule(strip, add, flags, pattern))
        else:
            pattern = re.compile("^" + ("" if condition == "." else condition))
            prefixes.setdefault(flag, []).append(_Rule(strip, add, flags, pattern))
    return suffixes, prefixes


class CompoundDictionary:
    """The dictionary's compound forms, folded: which may begin, continue and end a word."""

    def __init__(self, begin: set[str], middle: set[str], end: set[str], tag: str) -> None:
        self.begin = frozenset(begin)
        self.middle = frozenset(middle)
        self.end = frozenset(end)
        self.tag = tag
        self.longest = max((len(w) for w in self.begin | self.middle | self.end), default=0)


def load_dictionary(path: Path, fold: Callable[[str], str]) -> CompoundDictionary | None:
    """Read ``path``.dic/.aff; None when they are missing or unreadable."""
    try:
        suffixes, prefixes = _read_affixes(path.with_suffix(".aff"))
        lines = path.with_suffix(".dic").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("German compounds are not split: no Hunspell dictionary (%s)", exc)
        return None
    forms: dict[str, set[str]] = {_BEGIN: set(), _MIDDLE: set(), _END: set()}

    def add(word: str, flags: str) -> None:
        if "-" in word or "." in word:
            return  # hyphenated forms: the tokenizer splits at hyphens anyway
        for flag, bucket in forms.items():
            if flag in flags:
                bucket.add(fold(word))

    # Per flag, the affix rules that make a compound form ("Park" + j → a start form);
    # inflected forms (all suffixes) matter for compound ends only ("laboren").
    making = {
        flag: [rule for rule in rules if _COMPOUND_FLAGS.intersection(rule.flags)]
        for flag, rules in suffixes.items()
    }
    making_prefixes = {
        flag: [rule for rule in rules if _COMPOUND_FLAGS.intersection(rule.flags)]
        for flag, rules in prefixes.items()
    }
    relevant = _COMPOUND_FLAGS.union(
        flag for flag, rules in (*making.items(), *making_prefixes.items()) if rules
    )
    for line in lines[1:]:
        if not line or line[0] in "\t ":
            continue  # comment lines
        word, _, flags = line.split()[0].partition("/")
        if _FORBIDDEN in flags:
            continue
        if word[:1].isupper() and _NEEDAFFIX not in flags:
            # A noun may start a compound even where the dictionary lists no start form
            # ("Anwohner|park…"); those ending in -ung, -heit, -schaft… take a linking s.
            forms[_BEGIN].add(fold(word))
            if word.endswith(_TAKES_LINKING_S):
                forms[_BEGIN].add(fold(word + "s"))
        if not relevant.intersection(flags):
            continue
        add(word, flags)
        rules_of = suffixes if _END in flags else making
        for flag in flags:
            for rule in rules_of.get(flag, ()):
                if word.endswith(rule.strip) and rule.condition.search(word):
                    stem = word[: len(word) - len(rule.strip)] if rule.strip else word
                    add(stem + rule.add, flags + rule.flags)
            for rule in making_prefixes.get(flag, ()):
                if word.startswith(rule.strip) and rule.condition.search(word):
                    add(rule.add + word[len(rule.strip) :], flags + rule.flags)
    # "Schaft" is a word, but as an ending it is the suffix -schaft (Mann|schaft).
    forms[_END] -= _SUFFIX_LIKE_ENDS
    return CompoundDictionary(forms[_BEGIN], forms[_MIDDLE], forms[_END], dictionary_tag(path))


class _Splitter:
    """The loaded dictionary (on first use) and a memo of splits."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.dictionary: CompoundDictionary | None = None
        self.loaded = False

    def get(self, fold: Callable[[str], str]) -> CompoundDictionary | None:
        if not self.loaded:
            with self.lock:
                if not self.loaded:
                    self.dictionary = _cached_dictionary(dictionary_path(), fold)
                    self.loaded = True
        return self.dictionary


def _cached_dictionary(path: Path, fold: Callable[[str], str]) -> CompoundDictionary | None:
    """``load_dictionary``, kept as JSON in the user's cache (reading the .dic takes ~1 s,
    too long for every ``mediaarchive search``; the cache is ~50 ms)."""
    tag = dictionary_tag(path)
    if tag == "nodict":
        return load_dictionary(path, fold)  # logs why
    import platformdirs

    cache = Path(platformdirs.user_cache_dir("mediaarchive")) / f"compounds-{tag}-{_FORMAT}.json"
    try:
        forms = json.loads(cache.read_text(encoding="utf-8"))
        return CompoundDictionary(set(forms["begin"]), set(forms["middle"]), set(forms["end"]), tag)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    dictionary = load_dictionary(path, fold)
    if dictionary is not None:
        forms = {
            "begin": sorted(dictionary.begin),
            "middle": sorted(dictionary.middle),
            "end": sorted(dictionary.end),
        }
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(forms), encoding="utf-8")
            os.replace(partial, cache)
        except OSError as exc:  # a read-only home: load it each time
            log.info("compound dictionary not cached (%s)", exc)
    return dictionary


_splitter = _Splitter()


def _split(word: str, dictionary: CompoundDictionary) -> tuple[str, ...]:
    n = len(word)
    begin, middle, end, longest = (
        dictionary.begin,
        dictionary.middle,
        dictionary.end,
        dictionary.longest,
    )
    # rest[i]: the fewest parts (middle…, end) that read word[i:], or None.
    rest: list[tuple[str, ...] | None] = [None] * (n + 1)
    for i in range(n - MIN_PART, MIN_PART - 1, -1):
        best: tuple[str, ...] | None = None
        tail = word[i:]
        if tail in end:
            best = (tail,)
        else:
            for j in range(i + MIN_PART, min(n - MIN_PART, i + longest) + 1):
                after = rest[j]
                if after is not None and word[i:j] in middle:
                    if best is None or len(after) + 1 < len(best):
                        best = (word[i:j], *after)
        rest[i] = best
    # The longest start form that leaves a reading: "innovations|einheiten", not "innovation|…".
    for i in range(min(n - MIN_PART, longest), MIN_PART - 1, -1):
        after = rest[i]
        if after is not None and word[:i] in begin:
            return (word[:i], *after)
    return ()


def split_compound(folded: str, fold: Callable[[str], str]) -> tuple[str, ...]:
    """The parts of a folded German word (``()`` when it is no compound or too long).

    Args:
        fold: the folding the dictionary's forms get (the caller's, so both agree).
    """
    if len(folded) < 2 * MIN_PART or len(folded) > MAX_WORD or not folded.isalpha():
        return ()
    dictionary = _splitter.get(fold)
    if dictionary is None:
        return ()
    return _split(folded, dictionary)
