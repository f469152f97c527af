"""Transcript corrections as revisions: the timed text form, line saves and their conflicts,
replace, history, diff and revert; search and subtitles follow the current revision."""

from __future__ import annotations

import pytest

from mediaarchive import services
from mediaarchive.errors import ConflictError, NotFoundError, UserError
from tests.fixtures.search import SearchArchive

LINE_2 = "Heute geht es um die Lebenszyklen von Innovationslaboren in Deutschland."


def _segments(archive, asset_id: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return services.views.asset_detail(archive, asset_id)["transcript"]["segments"]


def _speech_hits(archive, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.title for h in services.search.search(archive, query, source="speech")]


def _form_with(archive, asset_id: str, old: str, new: str) -> str:  # type: ignore[no-untyped-def]
    form = services.revisions.edit_form(archive, asset_id)
    assert old in form
    return form.replace(old, new)


def test_an_edited_line_keeps_word_times_and_search_and_subtitles_follow(
    curated: SearchArchive,
) -> None:
    archive, keynote = curated.archive, curated.ids["keynote"]
    before = _segments(archive, keynote)[1]["words"]
    form = services.revisions.edit_form(archive, keynote)
    assert form.splitlines()[5] == f"[0:00:05.2] {LINE_2}"
    saved = services.revisions.save_form(
        archive,
        keynote,
        form.replace("die Lebenszyklen von", "die Lebensphasen der"),
        by="lena",
        note="name",
    )
    assert (saved.revision, saved.parent, saved.changed, saved.review) == (2, 1, 1, "machine")
    segments = _segments(archive, keynote)
    assert [s["text"] for s in segments][1] == (
        "Heute geht es um die Lebensphasen der Innovationslaboren in Deutschland."
    )
    after = segments[1]["words"]
    kept = [w for w in after if w["probability"] is not None]
    assert [(w["word"], w["start"], w["end"]) for w in kept] == [
        (w["word"], w["start"], w["end"])
        for w in before
        if w["word"] not in (" Lebenszyklen", " von")
    ]
    placed = [w for w in after if w["probability"] is None]
    assert [w["word"].strip() for w in placed] == ["Lebensphasen", "der"]
    replaced = [w for w in before if w["word"] in (" Lebenszyklen", " von")]
    assert placed[0]["start"] == pytest.approx(replaced[0]["start"], abs=1e-3)
    assert placed[-1]["end"] == pytest.approx(replaced[-1]["end"], abs=1e-3)
    assert placed[0]["end"] > placed[0]["start"]
    assert segments[1]["confidence"] == pytest.approx(
        sum(w["probability"] for w in kept) / len(kept), abs=1e-4
    )
    assert _speech_hits(archive, "Lebensphasen") == ["Lebenszyklen von Innovationslaboren"]
    assert _speech_hits(archive, "Lebenszyklen") == []
    vtt = services.subtitles.render(archive, keynote, "vtt").text
    assert "die Lebensphasen der" in vtt.replace("\n", " ")
    assert services.views.asset_detail(archive, keynote)["transcript"]["revision"] == 2


def test_history_diff_and_revert(curated: SearchArchive) -> None:
    archive, keynote = curated.archive, curated.ids["keynote"]
    services.revisions.save_form(
        archive, keynote, _form_with(archive, keynote, "Räume,", "Orte,"), by="lena"
    )
    reverted = services.revisions.revert(archive, keynote, 1, by="jo")
    assert (reverted.revision, reverted.changed) == (3, 1)
    history = services.revision_views.transcript_history(archive, keynote)
    assert [(r.number, r.parent, r.author, r.action, r.current) for r in history] == [
        (1, None, "base", "asr", False),
        (2, 1, "lena", "edit", False),
        (3, 2, "jo", "revert", True),
    ]
    diff = services.revision_views.transcript_diff(archive, keynote, 1, 2)
    assert [line.marked for line in diff.lines] == [
        "Ein Innovationslabor braucht [-Räume,-] {+Orte,+} Menschen und Zeit."
    ]
    assert services.revision_views.transcript_diff(archive, keynote, 1, 3).lines == []
    assert "Räume, Menschen" in _segments(archive, keynote)[2]["text"]
    assert _speech_hits(archive, "Orte") == []
    with pytest.raises(NotFoundError, match="no revision 9"):
        services.revisions.revert(archive, keynote, 9)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.replace("[0:00:05.2] ", ""), "line 6: the time stamp is missing"),
        (lambda f: f.replace("[0:00:05.2]", "[0:00:5.2]"), "line 6: the time stamp is"),
        (lambda f: f.replace("[0:00:05.2]", "[0:00:06.0]"), "line 6: time stamp"),
        (lambda f: f + "[0:00:30.0] Noch ein Satz.\n", "line 9: the form has 5 lines"),
        (lambda f: f.replace("# revision", "# rev"), "no '# revision N"),
    ],
)
def test_a_broken_form_is_one_error_and_nothing_is_saved(curated_sqlite, change, message):  # type: ignore[no-untyped-def]
    archive, keynote = curated_sqlite.archive, curated_sqlite.ids["keynote"]
    form = _form_with(archive, keynote, "Keynote beim", "Eröffnung beim")
    with pytest.raises(UserError, match=message):
        services.revisions.save_form(archive, keynote, change(form))
    assert _segments(archive, keynote)[0]["text"] == "Herzlich willkommen zur Keynote beim Labcamp."
    assert [r.number for r in services.revision_views.transcript_history(archive, keynote)] == [1]


def test_saving_a_line_someone_else_saved_stops_other_lines_do_not_conflict(
    curated: SearchArchive,
) -> None:
    archive, keynote = curated.archive, curated.ids["keynote"]
    first = _form_with(archive, keynote, "Räume,", "Orte,")
    second = _form_with(archive, keynote, "viele Gespräche", "lange Gespräche")
    third = _form_with(archive, keynote, "Räume,", "Säle,")
    assert services.revisions.save_form(archive, keynote, first).revision == 2
    assert services.revisions.save_form(archive, keynote, second).revision == 3
    with pytest.raises(ConflictError, match=r"line 7 \(\[0:00:10.2\]\)"):
        services.revisions.save_form(archive, keynote, third)
    texts = [s["text"] for s in _segments(archive, keynote)]
    assert texts[2:] == [
        "Ein Innovationslabor braucht Orte, Menschen und Zeit.",
        "Wir haben mit der Stadtverwaltung lange Gespräche geführt.",
    ]
    assert services.views.asset_detail(archive, keynote)["transcript"]["revision"] == 3


def test_replace_whole_words_in_an_event_with_a_dry_run_first(curated: SearchArchive) -> None:
    archive = curated.archive
    preview = services.replace.replace_text(
        archive, "Labor", "Werkstatt", event="Labcamp 4", dry_run=True
    )
    # "Labor" alone, not inside "Innovationslabor" or "Stadtlabor".
    assert [(c.id, c.old, c.context) for c in preview.changes] == [
        (
            curated.ids["stadtlabor"],
            "Labor",
            "…eröffnen wir bald ein zweites [Labor → Werkstatt].",
        )
    ]
    assert _speech_hits(archive, "Werkstatt") == []
    done = services.replace.replace_text(archive, "Labor.", "Labor!", event="Labcamp 4", by="x")
    assert [(r.id, r.revision) for r in done.revisions] == [(curated.ids["stadtlabor"], 2)]
    assert _segments(archive, curated.ids["stadtlabor"])[2]["text"].endswith("zweites Labor!")
    regex = services.replace.replace_text(
        archive, r"Strasse", "Straße", asset_id=curated.ids["verwaltung"], regex=True
    )
    assert regex.changes[0].context.startswith("Die Verwaltung muss [Strasse → Straße]")
    assert "Straße für Straße" in _segments(archive, curated.ids["verwaltung"])[3]["text"]
    with pytest.raises(UserError, match="empty"):
        services.replace.replace_text(archive, " ", "x")


def test_two_writers_of_one_line_at_once_one_wins_the_other_is_told(
    curated: SearchArchive,
) -> None:
    import threading

    from mediaarchive.archive import Archive
    from mediaarchive.config import Settings

    keynote = curated.ids["keynote"]
    with curated.archive.session() as session:
        from mediaarchive.archive import find_asset

        asset = find_asset(session, keynote)
        segment_id = asset.current_transcript.segments[1].id  # type: ignore[union-attr]
    writers = [Archive(Settings.load(home=curated.home, db=curated.db)) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def save(name: str, writer: Archive) -> None:
        barrier.wait()
        try:
            outcomes[name] = services.revisions.save_segment(
                writer, keynote, segment_id, f"Heute geht es um {name}.", by=name
            ).revision
        except ConflictError as exc:
            outcomes[name] = str(exc)

    threads = [
        threading.Thread(target=save, args=(name, writer))
        for name, writer in zip(("Anna", "Ben"), writers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for writer in writers:
        writer.close()
    winners = [name for name, outcome in outcomes.items() if outcome == 2]
    [loser] = [name for name in outcomes if name not in winners]
    assert len(winners) == 1
    assert "the line at [0:00:05.2]" in str(outcomes[loser])
    assert "saved by someone else" in str(outcomes[loser])
    assert _segments(curated.archive, keynote)[1]["text"] == f"Heute geht es um {winners[0]}."
