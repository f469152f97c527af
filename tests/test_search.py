"""Search over the German fixture archive: what is found, and in which order."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from mediaarchive.db import Asset, Event, Segment, Transcript
from mediaarchive.errors import UserError
from mediaarchive.search import SearchHit, index_asset
from mediaarchive.search import sqlite as sqlite_backend
from mediaarchive.services.search import reindex, search
from tests.fixtures.search import SearchArchive, add_asset


def found(sa: SearchArchive, query: str, **options) -> list[str]:  # type: ignore[no-untyped-def]
    """Roles of the assets hit, in rank order, each once."""
    roles: list[str] = []
    for hit in search(sa.archive, query, **options):
        role = sa.role(hit.asset_id)
        if role not in roles:
            roles.append(role)
    return roles


def hits(sa: SearchArchive, query: str, **options) -> list[SearchHit]:  # type: ignore[no-untyped-def]
    return search(sa.archive, query, **options)


# -- German matching ------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Universität", "Universitaet", "Universitat", "UNIVERSITÄT"])
def test_umlaut_spellings_all_find_both_universities(search_archive, query) -> None:
    assert sorted(found(search_archive, query)) == ["stadtlabor", "verwaltung"]


@pytest.mark.parametrize("query", ["Straße", "Strasse", "STRASSE"])
def test_eszett_spellings_find_the_street_and_the_compound(search_archive, query) -> None:
    result = hits(search_archive, query)
    # "Strasse" itself ranks above "Hauptstraße", where it is only the compound's head.
    assert [search_archive.role(h.asset_id) for h in result] == ["verwaltung", "stadtlabor"]
    assert "<mark>Strasse</mark>" in result[0].snippet
    assert "<mark>Hauptstraße</mark>" in result[1].snippet


@pytest.mark.parametrize(
    ("query", "exact_role", "inflected_role"),
    [
        ("Prototypen", "verwaltung", "stadtlabor"),
        ("Gespräche", "keynote", "verwaltung"),
        ("Gespräch", "verwaltung", "keynote"),
    ],
)
def test_inflections_match_and_exact_form_ranks_first(
    search_archive, query, exact_role, inflected_role
) -> None:
    speech = [h for h in hits(search_archive, query) if h.source == "speech"]
    assert [search_archive.role(h.asset_id) for h in speech] == [exact_role, inflected_role]


def test_laboren_finds_labor(search_archive) -> None:
    speech = [h for h in hits(search_archive, "Laboren") if h.source == "speech"]
    assert any("zweites <mark>Labor</mark>" in h.snippet for h in speech)


def test_labor_finds_compounds_and_the_exact_word_first(search_archive) -> None:
    result = hits(search_archive, "Labor")
    assert result[0].snippet == (
        "In der Hauptstraße eröffnen wir bald ein zweites <mark>Labor</mark>."
    )
    snippets = " ".join(h.snippet for h in result)
    assert "<mark>Innovationslabor</mark>" in snippets
    assert "<mark>Stadtlabor</mark>" in snippets
    assert "<mark>Innovationslaboren</mark>" in snippets
    # "Kollaboration" contains the letters but is no compound of Labor.
    assert "verwaltung" not in found(search_archive, "Labor")
    assert set(found(search_archive, "Labor")) == {"stadtlabor", "keynote", "whiteboard"}


def test_verwaltung_finds_modifier_and_head_of_compounds(search_archive) -> None:
    result = hits(search_archive, "Verwaltung", source="speech")
    assert result[0].snippet == "Die <mark>Verwaltung</mark> muss Strasse für Strasse denken."
    snippets = " ".join(h.snippet for h in result)
    assert "<mark>Stadtverwaltung</mark>" in snippets
    assert "<mark>Verwaltungsdigitalisierung</mark>" in snippets


def test_innovationslabor_exact_forms_rank_above_inflected(search_archive) -> None:
    result = hits(search_archive, "Innovationslabor")
    assert set(found(search_archive, "Innovationslabor")) == {"keynote", "whiteboard"}
    speech = [h.snippet for h in result if h.source == "speech"]
    assert speech == [
        "Ein <mark>Innovationslabor</mark> braucht Räume, Menschen und Zeit.",
        "Heute geht es um die Lebenszyklen von <mark>Innovationslaboren</mark> in Deutschland.",
    ]


def test_title_hit_ranks_above_speech(search_archive) -> None:
    result = hits(search_archive, "Prototyp")
    assert (search_archive.role(result[0].asset_id), result[0].source) == ("stadtlabor", "metadata")


def test_speaker_is_found_in_any_spelling(search_archive) -> None:
    for query in ("Müller", "Mueller", "Muller"):
        result = hits(search_archive, query)
        assert [(search_archive.role(h.asset_id), h.source) for h in result] == [
            ("keynote", "metadata")
        ]
        assert "<mark>Müller</mark>" in result[0].snippet


def test_event_description_is_searchable(search_archive) -> None:
    assert "keynote" in found(search_archive, "Barcamp")


# -- query language --------------------------------------------------------------------------


def test_phrase_in_quotes(search_archive) -> None:
    result = hits(search_archive, '"Lebenszyklen von Innovationslaboren"')
    assert [(search_archive.role(h.asset_id), h.source) for h in result] == [
        ("keynote", "metadata"),
        ("keynote", "speech"),
    ]
    assert "<mark>Lebenszyklen von Innovationslaboren</mark>" in result[1].snippet
    assert hits(search_archive, '"Innovationslaboren Lebenszyklen"') == []


def test_prefix(search_archive) -> None:
    # Labcamp's event description ("Innovation in Verwaltung") counts for all its assets.
    labcamp = {"keynote", "whiteboard", "stadtlabor"}
    assert set(found(search_archive, "innov*")) == labcamp | {"english"}
    assert set(found(search_archive, "Innov*", language="de")) == labcamp
    assert set(found(search_archive, "innov*", source="speech")) == {"keynote", "english"}


def test_and_or_and_exclusion(search_archive) -> None:
    assert found(search_archive, "Universität Hamburg") == ["stadtlabor"]
    assert found(search_archive, "Universität AND Hamburg") == ["stadtlabor"]
    assert sorted(found(search_archive, "Hamburg OR Behörde")) == ["stadtlabor", "verwaltung"]
    assert found(search_archive, "Universität -Hamburg") == ["verwaltung"]
    assert found(search_archive, "Universität NOT Hamburg") == ["verwaltung"]
    assert found(search_archive, "-Hamburg") == []


LABOR_SPEECH = "In der Hauptstraße eröffnen wir bald ein zweites <mark>Labor</mark>."


@pytest.mark.parametrize(
    "query",
    [
        "Labor OR NEAR(",
        "Labor OR {b_exact}:",
        '"Labor"*',
        'Labor -"',
        'Labor"',
        "* Labor",
        "Labor ** ((",
        "Labor /*",
        "Labor \\",
        "Labor\x00",
        "Labor\tLabor",
        "((Labor OR Labor)))",
        "Labor' OR '1'='1",
        "Labor'); --",
    ],
)
def test_hostile_syntax_around_a_word_still_finds_the_word(search_archive, query) -> None:
    speech = [h.snippet for h in hits(search_archive, query) if h.source == "speech"]
    assert LABOR_SPEECH in speech, (query, speech)


@pytest.mark.parametrize("query", ["*", '""', "-", "- -", "", "^", "()", "NOT", "AND OR"])
def test_a_query_without_words_finds_nothing(search_archive, query) -> None:
    assert hits(search_archive, query) == []


@pytest.mark.parametrize(
    ("query", "without_operator"),
    # FTS5 column filters and NEAR groups are not syntax here: their names are words that no
    # document has, so the query (all words required) finds nothing instead of failing.
    [
        ("NEAR(Labor", "(Labor"),
        ("Labor NEAR/ Labor", "Labor / Labor"),
        ("{b_exact}: labor", "{}: labor"),
        ("t_exact:Labor", ":Labor"),
    ],
)
def test_fts5_operators_are_read_as_words(search_archive, query, without_operator) -> None:
    assert hits(search_archive, query) == []
    speech = [h.snippet for h in hits(search_archive, without_operator) if h.source == "speech"]
    assert LABOR_SPEECH in speech


def test_injection_strings_leave_the_archive_intact(fresh_search_archive) -> None:
    sa = fresh_search_archive

    def counts() -> tuple[int, int]:
        with sa.archive.session() as session:
            assets = session.scalar(select(func.count(Asset.id)))
            segments = session.scalar(select(func.count(Segment.id)))
        return assets or 0, segments or 0

    before, labor_before = counts(), found(sa, "Labor")
    assert before[0] == len(sa.ids) and labor_before
    for query in [
        "'; DROP TABLE assets; --",
        "Labor'); DROP TABLE segments; --",
        '"; DELETE FROM search_docs; --',
        'Labor" OR 1=1; DELETE FROM assets --',
        "x') UNION SELECT sha256 FROM assets --",
    ]:
        assert hits(sa, query) == [], query  # their SQL words are in no document
    assert counts() == before
    assert found(sa, "Labor") == labor_before
    assert hits(sa, "Labor")[0].snippet == LABOR_SPEECH


@pytest.mark.parametrize(
    "query",
    [
        '"Labor',
        "Labor*)",
        "(Labor",
        "Labor AND",
        "OR Labor",
        "^Labor",
        "labor:",
        "Labor OR",
        "Labor -",
        "Labor **",
        "NOT Quantencomputer Labor",
    ],
)
def test_stray_syntax_around_a_word_still_finds_it(search_archive, query) -> None:
    assert hits(search_archive, query)[0].snippet == LABOR_SPEECH


def test_old_transcript_is_not_searched(search_archive) -> None:
    assert hits(search_archive, "Quantencomputer") == []


# -- hits -------------------------------------------------------------------------------------


def test_hit_fields_link_and_time(search_archive) -> None:
    hit = hits(search_archive, "Bürgerbeteiligung")[0]
    document = hit.to_json()
    score = document.pop("score")
    assert document == {
        "asset_id": search_archive.ids["stadtlabor"],
        "event": "Labcamp 4",
        "title": "Das Stadtlabor als Prototyp",
        "kind": "video",
        "speakers": ["Jörg Weiß"],
        "source": "speech",
        "start": 0.25,
        "end": 4.5,
        "snippet": "Das Stadtlabor ist unser erster Prototyp für die "
        "<mark>Bürgerbeteiligung</mark>.",
        "text": "Das Stadtlabor ist unser erster Prototyp für die Bürgerbeteiligung.",
        "link": f"/assets/{search_archive.ids['stadtlabor']}#t=0.2",
    }
    # The score is a positive number, and hits come best first.
    assert isinstance(score, float) and score > 0
    scores = [h.score for h in hits(search_archive, "Labor")]
    assert len(scores) > 2 and scores == sorted(scores, reverse=True)
    image = hits(search_archive, "Zukunft", kind="image")[0]
    assert (image.source, image.start, image.link) == (
        "image",
        None,
        f"/assets/{search_archive.ids['whiteboard']}",
    )
    slide = hits(search_archive, "Roadmap")[0]
    assert (slide.source, slide.start, slide.link) == (
        "slide",
        60.0,
        f"/assets/{search_archive.ids['stadtlabor']}#t=60.0",
    )


def test_snippet_escapes_html(search_archive) -> None:
    hit = hits(search_archive, "Co", source="speech")[0]
    assert hit.snippet == "Fragen bitte an &lt;b&gt;Labcamp &amp; <mark>Co</mark>&lt;/b&gt;."


def test_long_text_snippet_is_a_window_around_the_match(fresh_search_archive) -> None:
    sa = fresh_search_archive
    words = [f"Wort{i}" for i in range(200)]
    words[150] = "Zielbegriff"
    with sa.archive.session() as session:
        add_asset(session, "long", title="Lang", segments=[" ".join(words)])
    snippet = hits(sa, "Zielbegriff")[0].snippet
    assert snippet.startswith("…Wort142 ") and snippet.endswith("…")
    assert "<mark>Zielbegriff</mark>" in snippet and len(snippet) < 400


def test_group_gives_one_entry_per_asset_with_its_hits(search_archive) -> None:
    grouped = search(search_archive.archive, "Labor", group=True)
    roles = [search_archive.role(h.asset_id) for h in grouped]
    assert len(roles) == len(set(roles)) == 3
    stadtlabor = grouped[roles.index("stadtlabor")]
    assert stadtlabor.matches is not None and len(stadtlabor.matches) >= 3
    assert {m["source"] for m in stadtlabor.matches} >= {"speech", "slide", "metadata"}
    times = [m["start"] for m in stadtlabor.matches if m["source"] == "speech"]
    assert 10.25 in times
    assert len(search(search_archive.archive, "Labor", group=True, limit=1)) == 1


# -- filters ----------------------------------------------------------------------------------


def test_filters(search_archive) -> None:
    sa = search_archive
    assert set(found(sa, "Labor", event="Labcamp 4")) == {"stadtlabor", "keynote", "whiteboard"}
    assert found(sa, "Universität", event="labcamp") == ["stadtlabor"]
    assert found(sa, "Universität", event="Verwaltungstag 2023") == ["verwaltung"]
    assert found(sa, "Universität", event="No such event") == []
    assert found(sa, "Labor", kind="image") == ["whiteboard"]
    assert found(sa, "Labor", kind="video", event="Labcamp 4", limit=20) == [
        "stadtlabor",
        "keynote",
    ]
    assert found(sa, "Prototyp", speaker="Weiss") == ["stadtlabor"]
    assert found(sa, "Prototyp", speaker="jörg weiß") == ["stadtlabor"]
    assert [h.source for h in hits(sa, "Stadtlabor", source="slide")] == ["slide"]
    assert {h.source for h in hits(sa, "Stadtlabor", source="metadata")} == {"metadata"}
    assert found(sa, "Universität", since="2024") == ["stadtlabor"]
    assert found(sa, "Universität", until="2023-12") == ["verwaltung"]
    assert found(sa, "Universität", since="2023-11-02", until="2023-11-02") == ["verwaltung"]
    assert found(sa, "innovation", language="en") == ["english"]
    assert "english" not in found(sa, "innovation*", language="de")


def test_bad_filter_values_are_user_errors(search_archive) -> None:
    with pytest.raises(UserError, match="since"):
        search(search_archive.archive, "Labor", since="last week")
    with pytest.raises(UserError, match="kind"):
        search(search_archive.archive, "Labor", kind="movie")
    with pytest.raises(UserError, match="limit"):
        search(search_archive.archive, "Labor", limit=0)


def test_limit(search_archive) -> None:
    assert len(hits(search_archive, "Labor", limit=2)) == 2


# -- the write path ---------------------------------------------------------------------------


def test_a_hit_shows_its_assets_first_event(fresh_search_archive) -> None:
    # A hit reads its asset's fields in one query (not the ORM objects): the event shown is
    # the asset's first, as ``show`` and the talk page name it; none for an asset without.
    sa = fresh_search_archive
    with sa.archive.session() as session:
        talk = session.scalar(select(Asset).where(Asset.title == "Das Stadtlabor als Prototyp"))
        talk.events.append(Event(name="Stadtlabor-Werkstatt 2025"))
        session.flush()
        expected = talk.event.name
        board = session.scalar(select(Asset).where(Asset.kind == "image"))
        board.events.clear()
    assert expected == "Labcamp 4"
    assert {h.event for h in hits(sa, "Bürgerbeteiligung")} == {expected}
    assert [h.event for h in hits(sa, "Zukunft", kind="image")] == [None]


def test_index_asset_replaces_the_assets_documents(fresh_search_archive) -> None:
    sa = fresh_search_archive
    with sa.archive.session() as session:
        asset = session.scalar(select(Asset).where(Asset.title == "Open Labs"))
        for transcript in asset.transcripts:
            transcript.current = False
        transcript = Transcript(
            asset_id=asset.id, model="import:talk.srt", language="en", current=True, complete=True
        )
        session.add(transcript)
        session.flush()
        session.add(
            Segment(
                transcript_id=transcript.id,
                start=1.0,
                end=2.0,
                # Tagged English: stemmed in English, German compounds are not split.
                text="Neue Untertitel über Werkstätten und Zukunftswerkstätten.",
            )
        )
        asset.title = "Offene Werkstätten"
        index_asset(session, asset)
        index_asset(session, asset)  # twice: still one copy of each document
    assert hits(sa, "innovation", language="en") == []
    # One copy of each document (the order is the ranking's business, tested apart).
    assert sorted(h.source for h in hits(sa, "Werkstatt")) == ["metadata", "speech"]
    assert found(sa, "Zukunftswerkstätten") == ["english"]


def test_reindex_rebuilds_the_same_results(fresh_search_archive) -> None:
    sa = fresh_search_archive
    before = [(h.asset_id, h.source, h.start) for h in hits(sa, "Labor")]
    with sa.archive.session() as session:
        if sa.db is None:
            session.execute(text("INSERT INTO search_fts (search_fts) VALUES ('delete-all')"))
        session.execute(text("DELETE FROM search_docs"))
    assert hits(sa, "Labor") == []
    assert reindex(sa.archive) == 5 + 2 + 4 + 4 + 5 + 1  # metadata, OCR, speech documents
    assert [(h.asset_id, h.source, h.start) for h in hits(sa, "Labor")] == before


def test_a_changed_analyser_rebuilds_the_index_on_next_write(fresh_search_archive) -> None:
    sa = fresh_search_archive
    with sa.archive.session() as session:
        session.execute(text("UPDATE search_meta SET value = 'old' WHERE key = 'analyzer'"))
    with sa.archive.session() as session:
        sa.ids["new"] = add_asset(session, "new", title="Neues Innovationslabor").short_id
    assert set(found(sa, "Innovationslabor")) == {"keynote", "whiteboard", "new"}
    assert len(hits(sa, "Labor", limit=100)) == len(
        set((h.asset_id, h.source, h.start) for h in hits(sa, "Labor", limit=100))
    )


def test_common_words_rank_a_bounded_set_of_newest_rows(fresh_search_archive, monkeypatch):
    sa = fresh_search_archive
    if sa.db is not None:
        pytest.skip("a bound of the SQLite backend: PostgreSQL ranks GIN-index matches")
    monkeypatch.setattr(sqlite_backend, "RANK_CANDIDATES", 2)
    result = hits(sa, "die", source="speech", limit=20)
    # Only the 2 newest speech rows that contain "die" are ranked.
    assert len(result) == 2
    assert {sa.role(h.asset_id) for h in result} == {"verwaltung"}
