"""Making a transcript current: the index follows it (one edited line re-indexes one line),
and ``transcribe`` refuses what has no speech before writing anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mediaarchive.archive import find_asset
from mediaarchive.db import Asset, Event, Segment, Transcript
from mediaarchive.errors import NotFoundError, UserError
from mediaarchive.services import transcripts
from tests.fixtures.search import SearchArchive
from tests.fixtures.subtitles import make_subtitle_files, subtitle_files
from tests.helpers import run_cli


def _current_segments(archive, asset_id: str) -> list[Segment]:  # type: ignore[no-untyped-def]
    with archive.session() as session:
        transcript = find_asset(session, asset_id).current_transcript
        segments = list(transcript.segments)
        session.expunge_all()
    return segments


def _search(options: list[str], query: str, *filters: str) -> list[dict]:  # type: ignore[type-arg]
    """The hits of ``mediaarchive search QUERY --json`` on the archive these options open."""
    result = run_cli(*options, "search", query, *filters, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _speech_hits(built: SearchArchive, query: str, role: str) -> list[float | None]:
    return [
        hit["start"]
        for hit in _search(built.cli_options, query, "--source", "speech")
        if hit["asset_id"] == built.ids[role]
    ]


def test_an_edited_line_is_reindexed_alone(fresh_search_archive: SearchArchive) -> None:
    built = fresh_search_archive
    archive, keynote = built.archive, built.ids["keynote"]
    line = _current_segments(archive, keynote)[2]
    assert _speech_hits(built, "Räume", "keynote") == [line.start]
    with archive.session() as session:
        session.get(Segment, line.id).text = "Ein Innovationslabor braucht Zebrastreifen."
    assert _speech_hits(built, "Zebrastreifen", "keynote") == []  # not indexed yet

    change = transcripts.make_current(
        archive, keynote, line.transcript_id, changed_segments=[line.id]
    )
    assert (change.switched, change.indexed) == (False, 1)  # one line, not the talk
    assert _speech_hits(built, "Zebrastreifen", "keynote") == [line.start]
    assert _speech_hits(built, "Räume", "keynote") == []
    assert _speech_hits(built, "Stadtverwaltung", "keynote"), "the other lines stay indexed"

    with archive.session() as session:
        session.delete(session.get(Segment, line.id))
    change = transcripts.make_current(
        archive, keynote, line.transcript_id, changed_segments=[line.id]
    )
    assert change.indexed == 0
    assert _speech_hits(built, "Zebrastreifen", "keynote") == []


def test_an_older_transcript_made_current_replaces_the_indexed_text(
    fresh_search_archive: SearchArchive,
) -> None:
    built = fresh_search_archive
    archive, keynote = built.archive, built.ids["keynote"]
    assert _speech_hits(built, "Quantencomputer", "keynote") == []
    with archive.session() as session:
        older = session.scalar(
            select(Transcript.id).where(
                Transcript.asset_id == find_asset(session, keynote).id,
                Transcript.current.is_(False),
            )
        )

    change = transcripts.make_current(archive, keynote, older)
    assert change.switched
    assert _speech_hits(built, "Quantencomputer", "keynote") == [0.25]
    assert _speech_hits(built, "Stadtverwaltung", "keynote") == []
    view = transcripts.current_transcript(archive, keynote)
    assert view is not None and view.id == older
    assert [s.text for s in view.segments] == ["Ein alter Versuch über Quantencomputer."]


def test_another_assets_or_an_unfinished_transcript_is_refused(
    fresh_search_archive: SearchArchive,
) -> None:
    built = fresh_search_archive
    archive, ids = built.archive, built.ids
    other = _current_segments(archive, ids["stadtlabor"])[0].transcript_id
    with pytest.raises(NotFoundError, match="has no transcript"):
        transcripts.make_current(archive, ids["keynote"], other)
    with archive.session() as session:
        interrupted = Transcript(
            asset_id=find_asset(session, ids["keynote"]).id,
            model="base",
            complete=False,
            current=False,
        )
        session.add(interrupted)
        session.flush()
        interrupted_id = interrupted.id
    with pytest.raises(UserError, match="unfinished"):
        transcripts.make_current(archive, ids["keynote"], interrupted_id)
    assert _speech_hits(built, "Stadtverwaltung", "keynote"), "nothing changed"


def test_transcribing_an_image_is_one_clear_line_and_writes_nothing(
    cli, archive, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    picture = tmp_path / "whiteboard.png"
    picture.write_bytes(b"\x89PNG not really")
    blob = archive.store.put_file(picture)
    with archive.session() as session:
        session.add(
            Asset(
                sha256=blob.sha256,
                size=blob.size,
                kind="image",
                mime="image/png",
                blob_key=blob.key,
                filename=picture.name,
                title="Whiteboard",
                state="done",
                probe={"has_audio": False, "has_video": True, "width": 1280, "height": 720},
                events=[Event(name="Labcamp 4")],
            )
        )
    asset_id = blob.sha256[:12]

    result = cli("transcribe", asset_id)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: asset {asset_id} (whiteboard.png) is an image: only video and audio have "
        "speech to transcribe (the text on an image is read by its ocr step: find it with "
        "'mediaarchive search')"
    ]
    with archive.session() as session:
        assert session.scalar(select(func.count(Transcript.id))) == 0

    bag = tmp_path / "bag"
    assert cli("export", "--event", "Labcamp 4", "--to", str(bag)).exit_code == 0
    assert not [p for p in bag.rglob("*") if p.suffix in (".srt", ".vtt")]


def test_subtitle_files_follow_a_transcript_without_speech(archive, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    make_subtitle_files(archive, asset_id, ["vtt", "srt"], "default")
    spoken = transcripts.current_transcript(archive, asset_id)
    assert spoken is not None
    assert not transcripts.make_current(archive, asset_id, spoken.id).switched  # indexes it
    assert _search(["--home", str(archive.settings.home)], "Universitätsbibliothek")
    with archive.session() as session:
        silent = Transcript(
            asset_id=find_asset(session, asset_id).id,
            model="base",
            complete=True,
            duration=0.0,
            provenance={"note": "nothing said"},
        )
        session.add(silent)
        session.flush()
        silent_id = silent.id

    change = transcripts.make_current(archive, asset_id, silent_id)
    # As the "subtitles" step makes none for it, no file keeps the old transcript's text.
    assert sorted(change.removed) == ["srt", "vtt"] and change.rendered == []
    assert subtitle_files(archive, asset_id) == {}
    assert _search(["--home", str(archive.settings.home)], "Universitätsbibliothek") == []
