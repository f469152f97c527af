"""The search and reindex commands over the German fixture archive."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.search import SearchArchive
from tests.helpers import run_cli


@pytest.fixture
def run(search_archive: SearchArchive):  # type: ignore[no-untyped-def]
    def call(*args: str):  # type: ignore[no-untyped-def]
        return run_cli(*search_archive.cli_options, *args)

    return call


KEYS = {
    "asset_id",
    "event",
    "title",
    "kind",
    "speakers",
    "source",
    "start",
    "end",
    "snippet",
    "text",
    "link",
    "score",
}


def test_search_json_gives_ranked_hits_with_the_contract_keys(run, search_archive) -> None:
    result = run(
        "search", "Labor", "--event", "Labcamp 4", "--kind", "video", "--limit", "20", "--json"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert all(set(hit) == KEYS for hit in document)
    assert document[0]["snippet"] == (
        "In der Hauptstraße eröffnen wir bald ein zweites <mark>Labor</mark>."
    )
    assert document[0]["link"] == f"/assets/{search_archive.ids['stadtlabor']}#t=10.2"
    assert document[0]["start"] == 10.25 and document[0]["source"] == "speech"
    scores = [hit["score"] for hit in document]
    assert scores == sorted(scores, reverse=True)
    roles = {search_archive.role(hit["asset_id"]) for hit in document}
    assert roles == {"stadtlabor", "keynote"}


def test_search_json_phrase(run, search_archive) -> None:
    result = run("search", '"Lebenszyklen von Innovationslaboren"', "--json")
    document = json.loads(result.stdout)
    assert [(search_archive.role(h["asset_id"]), h["source"]) for h in document] == [
        ("keynote", "metadata"),
        ("keynote", "speech"),
    ]


@pytest.mark.parametrize("query", ["Universität", "Universitaet", "Universitat"])
def test_search_json_umlauts(run, search_archive, query) -> None:
    document = json.loads(run("search", query, "--json").stdout)
    assert {search_archive.role(h["asset_id"]) for h in document} == {"stadtlabor", "verwaltung"}


def test_search_json_filters_and_group(run, search_archive) -> None:
    document = json.loads(
        run(
            "search",
            "Prototyp",
            "--speaker",
            "Weiss",
            "--since",
            "2024-01",
            "--until",
            "2024-12-31",
            "--language",
            "de",
            "--json",
        ).stdout
    )
    assert {search_archive.role(h["asset_id"]) for h in document} == {"stadtlabor"}
    grouped = json.loads(run("search", "Labor", "--group", "--json").stdout)
    assert len({h["asset_id"] for h in grouped}) == len(grouped) == 3
    assert all(h["matches"] for h in grouped)
    slides = json.loads(run("search", "Roadmap", "--source", "slide", "--json").stdout)
    assert [h["source"] for h in slides] == ["slide"]


def test_search_without_hits_exits_0_with_an_empty_list(run) -> None:
    result = run("search", "Quantencomputer", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    human = run("search", 'NEAR( "unbalanced')
    assert human.exit_code == 0 and "No hits" in human.stderr


def test_human_output_shows_id_event_title_time_and_snippet(run, search_archive) -> None:
    result = run("search", "Bürgerbeteiligung")
    assert result.exit_code == 0
    assert search_archive.ids["stadtlabor"] in result.stdout
    assert "Labcamp 4 · Das Stadtlabor als Prototyp" in result.stdout
    assert "speech 0:00:00–0:00:04" in result.stdout
    assert "Bürgerbeteiligung" in result.stdout
    assert f"/assets/{search_archive.ids['stadtlabor']}#t=0.2" in result.stdout


def test_bad_options(run) -> None:
    assert run("search", "Labor", "--kind", "movie").exit_code == 2
    assert run("search", "Labor", "--limit", "0").exit_code == 2
    bad_date = run("search", "Labor", "--since", "yesterday")
    assert bad_date.exit_code == 1 and "YYYY" in bad_date.stderr


def test_reindex_command(run, search_archive) -> None:
    result = run("reindex")
    assert result.exit_code == 0 and "Indexed 21 documents" in result.stderr
    document = json.loads(run("search", "Stadtlabor", "--json").stdout)
    assert search_archive.role(document[0]["asset_id"]) == "stadtlabor"
