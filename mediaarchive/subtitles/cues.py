"""Cue building: readable subtitle cues from a transcript's word timestamps.

The word stream is cut into blocks at long pauses (and at the edges of segments that have no
word timings, e.g. imported subtitles). Each block is then partitioned into cues by dynamic
programming: every possible cue must fit the preset's lines (laid out in balanced lines that
never split a word) and its longest duration, and the partition with the lowest cost wins.
Costs prefer cuts at sentence ends, then at clause boundaries (commas, German conjunctions),
then at pauses, and penalise a lone word in a cue or on a line, cues too short to read and
cues read faster than the preset allows. Times come last: a cue starts at its first word,
ends after its last word plus a linger (longer when the text needs more reading time), and
never runs into the next cue's gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from mediaarchive.subtitles.presets import Preset
from mediaarchive.subtitles.words import TimedWord, needs_space

#: A pause this long always ends a cue: nobody wants to read a cue through silence.
HARD_PAUSE = 1.5
#: German words that start a clause: a good place for a cut or a line break (before them).
CONJUNCTIONS = frozenset(
    "und oder aber dass weil denn sondern wenn ob obwohl damit sodass während nachdem "
    "bevor falls doch sowie".split()
)
#: Articles and prepositions: a cut right after them leaves the phrase hanging.
FUNCTION_WORDS = frozenset(
    "der die das den dem des ein eine einen einem einer eines im in am an auf aus bei beim "
    "mit nach von vom zu zum zur für über unter vor hinter neben zwischen durch gegen ohne "
    "um bis seit the a an of to in on at for with".split()
)
#: Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    "z.b. bzw. ca. dr. prof. nr. vgl. ggf. d.h. u.a. bspw. inkl. evtl. "
    "abs. mio. mrd. jh. hr. fr. st. mind. zb. sog. bzgl. allg.".split()
)
#: Words that typically open a German sentence (after "Nummer 1." the sentence has ended).
SENTENCE_OPENERS = frozenset(
    "Das Die Der Dies Diese Dieser Wir Ich Es Er Sie Man Und Aber Dann Jetzt Heute Hier "
    "Da So Also Denn Doch Wenn Was Wie Wo Warum Wer Ja Nein Danke".split()
)
#: A pause after "3." this long means the number ended the sentence (Whisper's word times
#: often leave a few hundred milliseconds between "3." and "Oktober").
ORDINAL_PAUSE = 0.8
MONTHS = frozenset(
    "januar jänner februar märz april mai juni juli august september oktober november "
    "dezember jan feb mär apr jun jul aug sep sept okt nov dez".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»«“”‚‘’)\]]*$")
# A word ending in a hyphen ("Nord-" in "Nord- und Südstadt") does not end a clause;
# a dash standing alone does.
_CLAUSE_END = re.compile(r"[,;:][\"'»«“”‚‘’)\]]*$")
_ORDINAL = re.compile(r"^\(?\d+\.$")
_INITIAL = re.compile(r"^[A-Za-zÄÖÜäöü]\.$")  # "M." in "M. Hölscher", "z." "B." in "z. B."
_DASHES = {"-", "–", "—"}
_PUNCTUATION = "\"'»«“”‚‘’()[],;:.!?…"

# Costs of the partition (dimensionless; only their ratios matter).
COST_CUE = 1.0
HUGE = 1e12
COST_CUT = {"sentence": 0.0, "clause": 2.0, "conjunction": 2.5, "segment": 4.0, "word": 8.0}
COST_AFTER_FUNCTION_WORD = 4.0  # "in der / Stadt": an article or preposition left hanging
COST_BEFORE_NUMBER = 2.0  # "Labcamp / 4": a number torn from its noun
COST_NAME_SPLIT = 2.5  # "Hertie / School", "Prof. Mark / Hallerberg": two capitalised words
COST_PAUSE_BONUS = 3.0  # per second of pause at a cut (up to one second)
COST_MID_SENTENCE_END = 6.0  # a cue ending one sentence and starting the next one
COST_JOINED_SENTENCES = 2.0  # a cue holding a sentence end, but ending at one too
COST_LONE_WORD_CUE = 5.0
# Breaking a preset limit costs more than any style choice; the proportional part picks the
# least bad partition where speech makes every partition break it.
COST_VIOLATION = 15.0
COST_SHORT = 10.0  # per second below the preset's shortest duration
COST_FAST = 20.0  # per (cps above the maximum / maximum)
COST_OVERSIZED = 100.0  # a single word longer than a line: unavoidable, reported
COST_IMBALANCE = 2.0  # per line length of difference between two lines
COST_LONE_WORD_LINE = 4.0
COST_TOP_HEAVY = 0.2  # the German norm prefers the longer line at the bottom
BONUS_LINE_AT_CLAUSE = 0.6


@dataclass
class Cue:
    """One subtitle cue: its times (seconds) and its lines."""

    start: float
    end: float
    lines: list[str]
    #: Times of the words in it, for the checker and the JSON output.
    speech_start: float = 0.0
    speech_end: float = 0.0

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def chars(self) -> int:
        """Characters read: the lines' characters, spaces included, line breaks not."""
        return sum(len(line) for line in self.lines)

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def cps(self) -> float:
        """Reading speed in characters per second."""
        return self.chars / self.duration if self.duration > 0 else float("inf")


@dataclass
class _Token:
    """A word as the builder handles it: never cut inside, with what may follow it."""

    text: str
    start: float
    end: float
    segment: int
    estimated: bool
    sentence_end: bool = False
    clause_end: bool = False
    starts_clause: bool = False
    hard_break_before: bool = False
    parts: list[TimedWord] = field(default_factory=list)


def tokenize(words: Iterable[TimedWord]) -> list[_Token]:
    """Glue continuations to their word, clean times and mark what each boundary is."""
    tokens: list[_Token] = []
    for word in words:
        text = word.text
        stripped = text.strip()
        if not stripped:
            continue
        previous = tokens[-1] if tokens else None
        start = max(word.start, previous.start if previous else 0.0, 0.0)
        end = max(word.end, start)
        glue = (
            previous is not None
            and previous.segment == word.segment
            and not needs_space(previous.text, word)
        )
        if glue and previous is not None:
            previous.text += stripped
            previous.end = max(previous.end, end)
            previous.parts.append(word)
            continue
        tokens.append(_Token(stripped, start, end, word.segment, word.estimated, parts=[word]))
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        token.sentence_end = _ends_sentence(token, following)
        token.clause_end = not token.sentence_end and (
            bool(_CLAUSE_END.search(token.text)) or token.text in _DASHES
        )
        token.starts_clause = _bare(token.text) in CONJUNCTIONS
        if index:
            before = tokens[index - 1]
            token.hard_break_before = token.start - before.end >= HARD_PAUSE or (
                token.segment != before.segment and (token.estimated or before.estimated)
            )
    return tokens


def _bare(text: str) -> str:
    return text.strip(_PUNCTUATION).lower()


def _ends_sentence(token: _Token, following: _Token | None) -> bool:
    text = token.text
    if not _SENTENCE_END.search(text):
        return False
    if text.endswith("."):
        if text.lower() in ABBREVIATIONS:
            return False
        # "am 3. Oktober", "Prof. M. Hölscher": an ordinal or an initial, unless a pause or a
        # typical sentence opening shows that the sentence really ended ("Wir sind Nummer 1.
        # Das ...", "Plan B. Dann ...").
        if _ORDINAL.match(text) and following is not None and _bare(following.text) in MONTHS:
            return False
        if (
            (_ORDINAL.match(text) or _INITIAL.match(text))
            and following is not None
            and following.text[:1].isalnum()
            and following.start - token.end < ORDINAL_PAUSE
            and following.text.strip(_PUNCTUATION) not in SENTENCE_OPENERS
        ):
            return False
    return True


def build_cues(words: Sequence[TimedWord], preset: Preset) -> list[Cue]:
    """Readable cues for a word stream, within the preset's limits where speech allows.

    Args:
        words: the words in spoken order (Whisper's leading spaces kept).
        preset: the limits to build to.

    Returns:
        Cues in order, never overlapping, at least ``preset.min_gap`` apart.
    """
    tokens = tokenize(words)
    if not tokens:
        return []
    cues: list[Cue] = []
    block_start = 0
    for index in range(1, len(tokens) + 1):
        if index == len(tokens) or tokens[index].hard_break_before:
            block = tokens[block_start:index]
            following = tokens[index] if index < len(tokens) else None
            cues.extend(_partition(block, following, preset))
            block_start = index
    _assign_times(cues, preset)
    return cues


class _Block:
    """A block's tokens with what the partition asks about them over and over, precomputed."""

    def __init__(self, tokens: list[_Token], following: _Token | None, preset: Preset) -> None:
        self.tokens = tokens
        self.following = following
        self.preset = preset
        self.prefix_chars = [0]
        self.prefix_sentences = [0]
        for token in tokens:
            self.prefix_chars.append(self.prefix_chars[-1] + len(token.text))
            self.prefix_sentences.append(self.prefix_sentences[-1] + token.sentence_end)
        # Cost of a cue cut, and of a line break, between token i-1 and token i.
        self.cut_cost = [0.0] + [_cut_cost(tokens[i - 1], tokens[i]) for i in range(1, len(tokens))]
        self.line_break_cost = [0.0] + [
            _line_break_cost(tokens[i - 1], tokens[i]) for i in range(1, len(tokens))
        ]

    def line_length(self, begin: int, end: int) -> int:
        """Characters of tokens ``begin:end`` on one line."""
        return self.prefix_chars[end] - self.prefix_chars[begin] + (end - begin - 1)


def _partition(block_tokens: list[_Token], following: _Token | None, preset: Preset) -> list[Cue]:
    """The cheapest split of one block into cues (dynamic programming over cut positions)."""
    block = _Block(block_tokens, following, preset)
    count = len(block_tokens)
    best: list[float] = [0.0] + [float("inf")] * count
    choice: list[tuple[int, tuple[int, ...]]] = [(0, ())] * (count + 1)
    width = preset.max_chars_per_line
    for end in range(1, count + 1):
        excess = 0  # characters of words longer than a line, beyond the line
        for begin in range(end - 1, -1, -1):
            excess += max(len(block_tokens[begin].text) - width, 0)
            chars = block.line_length(begin, end)
            single = end - begin == 1
            duration = block_tokens[end - 1].end - block_tokens[begin].start
            if not single and (
                chars - excess > preset.max_chars + preset.max_lines - 1
                or duration > preset.max_duration
            ):
                break
            if best[begin] == float("inf"):
                continue
            layout = _layout(block, begin, end)
            if layout is None:
                continue
            bounds, layout_cost = layout
            cost = best[begin] + layout_cost + _cue_cost(block, begin, end, chars)
            if not cost < HUGE:  # degenerate times (zero-length speech): still a cue
                cost = HUGE
            if cost < best[end] or not choice[end][1]:
                best[end] = cost
                choice[end] = (begin, bounds)
    cues: list[Cue] = []
    end = count
    while end > 0:
        begin, bounds = choice[end]
        lines = [
            " ".join(token.text for token in block_tokens[a:b])
            for a, b in zip(bounds, bounds[1:], strict=False)
        ]
        first, last = block_tokens[begin], block_tokens[end - 1]
        cues.append(Cue(first.start, last.end, lines, first.start, last.end))
        end = begin
    cues.reverse()
    return cues


def _cue_cost(block: _Block, begin: int, end: int, chars: int) -> float:
    tokens, preset = block.tokens, block.preset
    cost = COST_CUE
    last = tokens[end - 1]
    next_token = tokens[end] if end < len(tokens) else block.following
    if end < len(tokens):
        cost += block.cut_cost[end]
    ends_at_sentence = last.sentence_end or end == len(tokens)
    inner_sentence_ends = block.prefix_sentences[end - 1] - block.prefix_sentences[begin]
    if inner_sentence_ends:
        cost += inner_sentence_ends * (
            COST_JOINED_SENTENCES if ends_at_sentence else COST_MID_SENTENCE_END
        )
    if end - begin == 1 and len(tokens) > 1:
        cost += COST_LONE_WORD_CUE
    # Time the cue can stay: up to the next word (less the gap), or a linger after the block.
    start = tokens[begin].start
    if next_token is not None:
        available_end = next_token.start - preset.min_gap
    else:
        available_end = last.end + max(preset.linger, preset.min_duration)
    available = min(max(available_end, last.end) - start, preset.max_duration)
    if available < preset.min_duration:
        cost += COST_VIOLATION + COST_SHORT * (preset.min_duration - available)
    if available >= 0.001:
        cps = chars / available
        if cps > preset.max_cps:
            cost += COST_VIOLATION + COST_FAST * (cps - preset.max_cps) / preset.max_cps
    return cost


def _cut_cost(before: _Token, after: _Token) -> float:
    if before.sentence_end:
        kind = "sentence"
    elif before.clause_end:
        kind = "clause"
    elif after.starts_clause:
        kind = "conjunction"
    elif before.segment != after.segment:
        kind = "segment"
    else:
        kind = "word"
    cost = COST_CUT[kind] + _weak_cut_cost(before, after)
    pause = min(max(after.start - before.end, 0.0), 1.0)
    return max(cost - COST_PAUSE_BONUS * pause, 0.0)


def _line_break_cost(before: _Token, after: _Token) -> float:
    cost = _weak_cut_cost(before, after) / 2
    if before.sentence_end or before.clause_end:
        cost -= BONUS_LINE_AT_CLAUSE
    elif after.starts_clause:
        cost -= BONUS_LINE_AT_CLAUSE / 2
    return cost


def _weak_cut_cost(before: _Token, after: _Token) -> float:
    """Extra cost of cutting (or breaking a line) between words that belong together."""
    if before.clause_end or before.sentence_end:
        return 0.0
    cost = 0.0
    if _bare(before.text) in FUNCTION_WORDS:
        cost += COST_AFTER_FUNCTION_WORD
    if after.text[:1].isdigit():
        cost += COST_BEFORE_NUMBER
    if before.text[:1].isupper() and after.text[:1].isupper():
        cost += COST_NAME_SPLIT
    return cost


def _layout(block: _Block, begin: int, end: int) -> tuple[tuple[int, ...], float] | None:
    """Line bounds for tokens ``begin:end`` (fewest lines, balanced) and their cost, or None.

    A line may be longer than the preset allows only when it is a single word longer than
    any line (never cut inside a word); that costs ``COST_OVERSIZED`` and is reported.
    """
    preset = block.preset
    width = preset.max_chars_per_line
    count = end - begin
    total = block.line_length(begin, end)
    if total <= width or count == 1:
        return (begin, end), COST_OVERSIZED * (total > width)
    if preset.max_lines >= 2:
        two = _two_lines(block, begin, end, width)
        if two is not None:
            return two
    best: tuple[tuple[int, ...], float] | None = None
    for line_count in range(3, min(preset.max_lines, count) + 1):
        for cuts in combinations(range(begin + 1, end), line_count - 1):
            bounds = (begin, *cuts, end)
            lengths = []
            cost = 0.0
            for a, b in zip(bounds, bounds[1:], strict=False):
                length = block.line_length(a, b)
                if length > width:
                    if b - a > 1:
                        break
                    cost += COST_OVERSIZED
                elif b - a == 1 and count > line_count:
                    cost += COST_LONE_WORD_LINE
                lengths.append(length)
            else:
                cost += COST_IMBALANCE * (max(lengths) - min(lengths)) / width
                if lengths[0] > lengths[-1]:
                    cost += COST_TOP_HEAVY
                cost += sum(block.line_break_cost[cut] for cut in cuts)
                if best is None or cost < best[1]:
                    best = (bounds, cost)
        if best is not None:
            return best
    return best


def _two_lines(
    block: _Block, begin: int, end: int, width: int
) -> tuple[tuple[int, ...], float] | None:
    """The best break into two lines (the common case, kept tight: it runs for every cue)."""
    prefix = block.prefix_chars
    count = end - begin
    best_cut, best_cost = -1, float("inf")
    for cut in range(begin + 1, end):
        first = prefix[cut] - prefix[begin] + cut - begin - 1
        if first > width and cut - begin > 1:
            break  # the first line only grows from here
        second = prefix[end] - prefix[cut] + end - cut - 1
        if second > width and end - cut > 1:
            continue
        cost = COST_IMBALANCE * abs(first - second) / width + block.line_break_cost[cut]
        if first > width:
            cost += COST_OVERSIZED
        elif cut - begin == 1 and count > 2:
            cost += COST_LONE_WORD_LINE
        if second > width:
            cost += COST_OVERSIZED
        elif end - cut == 1 and count > 2:
            cost += COST_LONE_WORD_LINE
        if first > second:
            cost += COST_TOP_HEAVY
        if cost < best_cost:
            best_cut, best_cost = cut, cost
    if best_cut < 0:
        return None
    return (begin, best_cut, end), best_cost


def _assign_times(cues: list[Cue], preset: Preset) -> None:
    """Start at the first word, end after the last plus a linger, keep the gap to the next."""
    for index, cue in enumerate(cues):
        cue.start = round(cue.start, 3)
        next_start = cues[index + 1].start if index + 1 < len(cues) else float("inf")
        wanted = max(
            cue.speech_end + preset.linger,
            cue.start + preset.min_duration,
            cue.start + cue.chars / preset.target_cps,
        )
        wanted = min(wanted, max(cue.start + preset.max_duration, cue.speech_end))
        limit = next_start - preset.min_gap
        end = min(wanted, limit)
        # Words closer together than the gap: keep the cue visible, push the next one on.
        end = round(max(end, cue.start + 0.1), 3)
        cue.end = end
        if index + 1 < len(cues) and cues[index + 1].start < end + preset.min_gap:
            cues[index + 1].start = round(end + preset.min_gap, 3)
