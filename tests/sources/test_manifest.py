"""Manifests: good rows are read, a bad row is named by its line, unknown columns are kept."""

from __future__ import annotations

from pathlib import Path

from mediaarchive.sources.manifest import read_manifest


def test_yaml_manifest_with_a_bad_entry(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "event: Labcamp 4\n"
        "assets:\n"
        "  - url: s3://b/keynote.mp4\n"
        "    title: Keynote\n"
        "    speakers: [Mark Hallerberg]\n"
        "    date: 2021-07-13\n"
        "    room: Aula\n"
        "  - title: no link here\n"
        "  - url: https://example.org/x.png\n",
        encoding="utf-8",
    )
    entries, problems = read_manifest(path)
    assert [e.url for e in entries] == ["s3://b/keynote.mp4", "https://example.org/x.png"]
    first = entries[0]
    assert (first.event, first.title, first.speakers, first.date) == (
        "Labcamp 4",
        "Keynote",
        ["Mark Hallerberg"],
        "2021-07-13",
    )
    assert first.extra == {"room": "Aula"}
    assert [p.message for p in problems] == ["m.yaml line 8: the entry has no url; add one"]


def test_csv_manifest_line_numbers_and_speakers(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "url,title,speakers,camera\na.mp4,Eins,Anna; Ben,Sony\n,Zwei,,\nb.mp4,Drei,Carla,\n",
        encoding="utf-8",
    )
    entries, problems = read_manifest(path)
    assert [(e.line, e.title, e.speakers) for e in entries] == [
        (2, "Eins", ["Anna", "Ben"]),
        (4, "Drei", ["Carla"]),
    ]
    assert entries[0].extra == {"camera": "Sony"}
    assert [p.line for p in problems] == [3]


def test_json_manifest_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text('[\n  {"url": "a.mp4", "language": "de"},\n  {"url": 5}\n]\n', encoding="utf-8")
    entries, problems = read_manifest(path)
    assert [e.language for e in entries] == ["de"]
    assert problems[0].message.startswith("m.json line 3:")
