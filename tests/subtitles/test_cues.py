"""Cue building on realistic (faster-whisper shaped) word streams."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediaarchive.subtitles import PRESETS, TimedWord, build_cues, check_cues
from mediaarchive.subtitles.words import words_from_segment_text
from tests.fixtures.subtitles import COMPOUND, SPEECH, whisper_words

LONG_SENTENCE = (
    "Wenn wir über die Zukunft der Stadtbibliotheken sprechen, dann müssen wir auch über die "
    "Menschen sprechen, die jeden Tag dort arbeiten und die mit viel Geduld und großem "
    "Engagement dafür sorgen, dass Studierende, Schülerinnen und Schüler und alle anderen "
    "Besucherinnen und Besucher einen Ort finden, an dem sie lernen, forschen und sich "
    "austauschen können, ohne dafür Geld bezahlen zu müssen."
)


def timed(text: str, **kwargs: float) -> list[TimedWord]:
    return [TimedWord(w.start, w.end, w.word) for w in whisper_words(text, **kwargs)]


def joined(cues) -> str:  # type: ignore[no-untyped-def]
    return " ".join(" ".join(cue.lines) for cue in cues)


def spoken(words: list[TimedWord]) -> str:
    return " ".join("".join(word.text for word in words).split())


@pytest.mark.parametrize("preset_name", ["default", "de-broadcast"])
def test_ordinary_speech_keeps_every_limit_of_the_preset(preset_name: str) -> None:
    preset = PRESETS[preset_name]
    words = timed(SPEECH + " " + LONG_SENTENCE)
    cues = build_cues(words, preset)

    assert check_cues(cues, preset) == []
    # Every word is shown, in order, none lost or split.
    assert joined(cues) == spoken(words)
    for cue in cues:
        assert 1 <= len(cue.lines) <= preset.max_lines
        assert all(len(line) <= preset.max_chars_per_line for line in cue.lines)


@pytest.mark.parametrize("preset_name", ["default", "de-broadcast"])
def test_cues_start_with_their_first_word_and_keep_a_gap(preset_name: str) -> None:
    preset = PRESETS[preset_name]
    words = timed(SPEECH)
    cues = build_cues(words, preset)
    starts = {round(word.start, 3) for word in words}
    for cue, following in zip(cues, cues[1:], strict=False):
        assert cue.start in starts
        assert cue.end <= following.start - preset.min_gap + 1e-9
        # the linger: the cue stays after its last word unless the next one needs the room
        assert cue.end >= cue.speech_end or cue.end == pytest.approx(
            following.start - preset.min_gap
        )
    last = cues[-1]
    assert last.end == pytest.approx(last.speech_end + preset.linger, abs=0.6)


def test_sentence_ends_come_first_then_clauses() -> None:
    cues = build_cues(timed(SPEECH), PRESETS["default"])
    endings = [cue.lines[-1].split()[-1] for cue in cues]
    # Every cue ends at a sentence or clause boundary, or before a conjunction.
    conjunctions = {"und", "oder", "aber", "dass", "weil", "denn", "sondern", "wenn", "bevor"}
    for cue, following in zip(cues, cues[1:], strict=False):
        last_word = cue.lines[-1].split()[-1]
        next_word = following.lines[0].split()[0]
        assert re.search(r"[.,!?]$", last_word) or next_word.lower() in conjunctions, (
            cue.lines,
            following.lines,
        )
    assert endings[-1] == "Diskussion."
    # a sentence is never cut after a few words of it, when a whole one fits
    assert any(cue.text.replace("\n", " ") == "Ich freue mich auf die Diskussion." for cue in cues)


def test_numbers_stay_whole() -> None:
    for preset in PRESETS.values():
        cues = build_cues(timed(SPEECH), preset)
        lines = [line for cue in cues for line in cue.lines]
        assert any("4,9 von" in line or line.endswith("4,9") for line in lines)
        assert not any(line.endswith("4,") for line in lines)
        # "3. Oktober" is an ordinal: never a sentence end, never torn apart
        assert any("3. Oktober" in line for line in lines)
        assert not any(line.endswith("3.") for line in lines)


def test_fast_speaker_is_reported_only_where_speech_makes_it_impossible() -> None:
    preset = PRESETS["de-broadcast"]
    fast = timed(LONG_SENTENCE, chars_per_second=21.0, pause=0.02, sentence_pause=0.1)
    cues = build_cues(fast, preset)
    problems = check_cues(cues, preset)

    assert problems, "21 characters/s cannot be shown at 15 characters/s"
    for problem in problems:
        assert all("characters/s (max 15)" in reason for reason in problem.reasons)
    # Layout limits are still kept.
    for cue in cues:
        assert len(cue.lines) <= 2 and all(len(line) <= 37 for line in cue.lines)
    # The same speech with a pause after it: the last cue may linger long enough.
    assert cues[-1].cps <= preset.max_cps


def test_fast_speaker_with_pauses_gets_reading_time_from_the_silence() -> None:
    preset = PRESETS["de-broadcast"]
    text = "Das ist schnell gesagt. Aber danach ist Ruhe. Und dann kommt der nächste Satz."
    cues = build_cues(timed(text, chars_per_second=24.0, sentence_pause=1.2), preset)
    assert check_cues(cues, preset) == []
    assert all(cue.cps <= 15.0 for cue in cues)


def test_a_compound_longer_than_a_line_stays_whole_and_is_reported() -> None:
    preset = PRESETS["default"]
    words = timed(f"Das Wort {COMPOUND} ist sehr lang.")
    cues = build_cues(words, preset)
    holding = [cue for cue in cues if COMPOUND in cue.text]
    assert len(holding) == 1 and COMPOUND in holding[0].lines  # a line of its own
    assert joined(cues) == spoken(words)
    problems = check_cues(cues, preset)
    assert len(problems) == 1 and COMPOUND in problems[0].text
    line = holding[0].lines.index(COMPOUND) + 1
    assert problems[0].reasons == (f"line {line} has {len(COMPOUND)} characters (max 42)",)


def test_no_lone_word_on_a_line_when_avoidable() -> None:
    for preset in PRESETS.values():
        for cue in build_cues(timed(SPEECH + " " + LONG_SENTENCE), preset):
            if len(cue.lines) == 2:
                assert all(len(line.split()) >= 2 for line in cue.lines), cue.lines


def test_two_line_cues_are_balanced() -> None:
    for preset in PRESETS.values():
        cues = build_cues(timed(SPEECH + " " + LONG_SENTENCE), preset)
        two_line = [cue for cue in cues if len(cue.lines) == 2]
        assert two_line
        for cue in two_line:
            short, long = sorted(len(line) for line in cue.lines)
            assert short >= 0.4 * long, cue.lines


def test_a_long_pause_always_ends_a_cue() -> None:
    words = timed("Ja, genau.") + timed("Und weiter.", start=10.0)
    cues = build_cues(words, PRESETS["default"])
    assert [cue.text for cue in cues] == ["Ja, genau.", "Und weiter."]
    assert cues[0].end < 10.0


def test_segments_without_words_still_make_cues() -> None:
    words = words_from_segment_text(5.0, 9.0, "Herzlich willkommen zum Labcamp in Berlin.", 0)
    words += words_from_segment_text(
        9.5,
        16.0,
        "Heute sprechen wir über offene Daten, über Bibliotheken und über die "
        "Frage, wie man beides zusammenbringt.",
        1,
    )
    cues = build_cues(words, PRESETS["default"])
    assert cues[0].start == 5.0
    assert cues[0].text == "Herzlich willkommen zum Labcamp in Berlin."
    assert check_cues(cues, PRESETS["default"]) == []
    assert joined(cues).endswith("wie man beides zusammenbringt.")


def test_overlapping_word_times_never_make_overlapping_cues() -> None:
    words = [
        TimedWord(0.0, 0.5, " Eins,"),
        TimedWord(0.3, 0.9, " zwei,"),
        TimedWord(0.2, 1.4, " drei."),
        TimedWord(1.41, 1.5, " Vier."),
        TimedWord(1.5, 1.5, " Fünf."),
    ]
    for preset in PRESETS.values():
        cues = build_cues(words, preset)
        for cue, following in zip(cues, cues[1:], strict=False):
            assert cue.start < cue.end <= following.start - preset.min_gap + 1e-9


word_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß", min_size=1, max_size=18)
punctuation = st.sampled_from(["", "", "", ",", ".", "?", "4,"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(word_text, punctuation, st.floats(0.05, 0.6), st.floats(0.0, 2.0)),
        min_size=1,
        max_size=120,
    ),
    st.sampled_from(sorted(PRESETS)),
)
def test_any_word_stream_gives_ordered_cues_that_keep_every_word(data, preset_name) -> None:  # type: ignore[no-untyped-def]
    preset = PRESETS[preset_name]
    words, position = [], 0.0
    for text, mark, length, pause in data:
        words.append(TimedWord(position, position + length, " " + text + mark))
        position += length + pause
    cues = build_cues(words, preset)
    assert joined(cues) == spoken(words)
    for cue, following in zip(cues, cues[1:], strict=False):
        assert cue.start < cue.end
        assert round(following.start - cue.end, 3) >= preset.min_gap - 1e-9
    for cue in cues:
        for line in cue.lines:
            assert len(line) <= preset.max_chars_per_line or " " not in line


@pytest.mark.parametrize(
    ("text", "sentence_ends"),
    [
        ("Am 3. Oktober geht es los.", ["los."]),
        ("Der 2. Vortrag beginnt am 1. Mai.", ["Mai."]),
        ("Mit Prof. Mark Hallerberg und Dr. Anna Beispiel.", ["Beispiel."]),
        ("Mit M. Hölscher, z.B. im Labor.", ["Labor."]),
        ("Etwa z. B. das Stadtlabor in Soest.", ["Soest."]),
        ("Wir sind Nummer 1. Das freut uns.", ["1.", "uns."]),
        ("Das ist Plan B. Dann sehen wir weiter!", ["B.", "weiter!"]),
        ("Ist das so? Ja… vielleicht.", ["so?", "Ja…", "vielleicht."]),
    ],
)
def test_sentence_ends_are_told_from_ordinals_and_abbreviations(
    text: str, sentence_ends: list[str]
) -> None:
    from mediaarchive.subtitles.cues import tokenize

    # spoken without the pauses the test streams add after a full stop
    tokens = tokenize(timed(text, sentence_pause=0.0))
    assert [token.text for token in tokens if token.sentence_end] == sentence_ends


def test_a_hyphenated_first_part_is_not_a_clause_end() -> None:
    from mediaarchive.subtitles.cues import tokenize

    tokens = tokenize(timed("Die Nord- und Südstadt, und dann – wie immer – das Labor."))
    assert [token.text for token in tokens if token.clause_end] == ["Südstadt,", "–", "–"]


def test_an_ordinal_before_a_month_never_ends_a_sentence_even_after_a_pause() -> None:
    from mediaarchive.subtitles.cues import tokenize

    words = [
        TimedWord(0.0, 0.3, " Am"),
        TimedWord(0.35, 0.9, " 3."),
        TimedWord(1.9, 2.4, " Oktober"),
        TimedWord(2.5, 3.0, " geht's"),
        TimedWord(3.05, 3.5, " los."),
    ]
    assert [t.text for t in tokenize(words) if t.sentence_end] == ["los."]


def test_overlapping_imported_cues_come_out_in_order_without_overlap() -> None:
    # Two speakers at once in a human SRT: the segments overlap.
    words = words_from_segment_text(1.0, 4.0, "Ich fange an.", 0)
    words += words_from_segment_text(2.0, 3.0, "Nein, ich!", 1)
    words += words_from_segment_text(3.5, 6.0, "Gut, dann du.", 2)
    for preset in PRESETS.values():
        cues = build_cues(words, preset)
        assert joined(cues) == "Ich fange an. Nein, ich! Gut, dann du."
        for cue, following in zip(cues, cues[1:], strict=False):
            assert cue.start < cue.end <= following.start - preset.min_gap + 1e-9


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0.0, 30.0), st.floats(0.0, 8.0), st.lists(word_text, min_size=1, max_size=25)
        ),
        min_size=1,
        max_size=12,
    )
)
def test_any_imported_segments_make_ordered_cues(segments) -> None:  # type: ignore[no-untyped-def]
    words: list[TimedWord] = []
    for index, (start, length, texts) in enumerate(sorted(segments)):
        words += words_from_segment_text(start, start + length, " ".join(texts) + ".", index)
    cues = build_cues(words, PRESETS["de-broadcast"])
    assert joined(cues) == spoken(words)
    for cue, following in zip(cues, cues[1:], strict=False):
        assert cue.start < cue.end
        assert round(following.start - cue.end, 3) >= 0.08 - 1e-9
