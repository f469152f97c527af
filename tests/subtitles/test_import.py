"""Import of human SRT/VTT files as the current transcript, then output in every format."""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

import pytest
import srt
import webvtt

from mediaarchive.archive import find_asset
from mediaarchive.errors import SubtitleError
from mediaarchive.subtitles import parse_subtitles
from tests.fixtures.subtitles import make_subtitle_files, subtitle_files

HUMAN_SRT = """1
00:00:01,000 --> 00:00:04,200
Herzlich willkommen
zum <i>Labcamp 4</i>!

2
00:00:04,500 --> 00:00:09,800
Heute zeigen die Arbeitsgruppen ihre Prototypen für das Stadtlabor,
und danach diskutieren wir über die Ergebnisse & die nächsten Schritte.

3
00:00:10,200 --> 00:00:12,000
Übrigens: Kaffee gibt's draußen.
"""

HUMAN_VTT = """WEBVTT

00:00:01.000 --> 00:00:03.500 line:90%
<v Anna>Guten Morgen, liebe Gäste.

intro-2
00:00:04.000 --> 00:00:07.000
Wir beginnen pünktlich &amp; gut gelaunt.
"""


def test_srt_import_becomes_the_current_transcript(
    cli, archive, transcribed_asset, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    human = tmp_path / "eroeffnung.de.srt"
    human.write_bytes(HUMAN_SRT.encode("cp1252"))  # an old Windows-made file

    result = cli("import-subtitles", asset_id, str(human), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # The file is the next revision of the transcript (the ASR text stays revision 1).
    assert (summary["model"], summary["revision"]) == ("base", 2)
    assert summary["segments"] == 3 and summary["current"] is True

    document = json.loads(cli("subtitles", asset_id, "--format", "json").stdout)
    assert (document["model"], document["revision"]) == ("base", 2)
    assert document["provenance"]["imports"][0]["format"] == "srt"
    assert document["segments"][0]["text"] == "Herzlich willkommen zum Labcamp 4!"
    assert document["segments"][2]["text"] == "Übrigens: Kaffee gibt's draußen."
    # Whisper heard these words in the cue's time ("herzlich … 4"): they keep their
    # probabilities and take the file's spelling.
    first = document["segments"][0]["words"]
    assert [w["word"].strip() for w in first] == ["Herzlich", "willkommen", "zum", "Labcamp", "4!"]
    assert None not in {w["probability"] for w in first}

    with archive.session() as session:
        asset = find_asset(session, asset_id)
        models = [(t.model, t.current, t.revision) for t in asset.transcripts]
        assert models == [("base", True, 2)]
        # The file itself is kept in the archive store.
        key = asset.current_transcript.provenance["imports"][0]["blob_key"]
        assert archive.store.exists(key)

    # Imported segments make cues, in any format and preset.
    vtt_text = cli("subtitles", asset_id, "--preset", "de-broadcast").stdout
    captions = webvtt.from_buffer(io.StringIO(vtt_text)).captions
    # The cue starts with the first word heard in the file's first cue (1.0 s on).
    assert "00:00:01.000" <= captions[0].start < "00:00:02.000"
    assert "Ergebnisse &amp; die nächsten Schritte." in vtt_text
    assert all(len(html.unescape(line)) <= 37 for c in captions for line in c.lines)
    srt_cues = list(srt.parse(cli("subtitles", asset_id, "--format", "srt").stdout))
    # Cues are built from the words to the preset (the file's cue breaks are not kept).
    assert srt_cues[-1].content.replace("\n", " ").endswith("Übrigens: Kaffee gibt's draußen.")
    text = cli("subtitles", asset_id, "--format", "txt").stdout
    assert "[0:00:01] Herzlich willkommen zum Labcamp 4!" in text


def test_imported_words_keep_their_times_where_the_text_matches(
    cli, archive, transcribed_asset, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset("Guten Morgen und herzlich willkommen zum Labcamp vier.")
    before = json.loads(cli("show", asset_id, "--json").stdout)["transcript"]["segments"]
    heard = before[0]["words"]
    human = tmp_path / "human.vtt"
    end = heard[-1]["end"]
    human.write_text(
        f"WEBVTT\n\n00:00:00.000 --> 00:00:{end + 0.5:06.3f}\n"
        "Guten Morgen und herzlich willkommen zum Labcamp 4.\n",
        encoding="utf-8",
    )
    imported = json.loads(cli("import-subtitles", asset_id, str(human), "--json").stdout)
    assert (imported["revision"], imported["kept_words"], imported["placed_words"]) == (2, 7, 1)
    after = json.loads(cli("show", asset_id, "--json").stdout)["transcript"]["segments"]
    words = after[0]["words"]
    assert [(w["word"], w["start"], w["end"], w["probability"]) for w in words[:7]] == [
        (w["word"], w["start"], w["end"], w["probability"]) for w in heard[:7]
    ]
    assert (words[7]["word"], words[7]["probability"]) == (" 4.", None)
    assert words[7]["start"] == heard[7]["start"] and words[7]["end"] == heard[7]["end"]


def test_vtt_import_drops_markup_and_settings(cli, transcribed_asset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    human = tmp_path / "gruss.vtt"
    human.write_text(HUMAN_VTT, encoding="utf-8")
    assert cli("import-subtitles", asset_id, str(human)).exit_code == 0
    document = json.loads(cli("subtitles", asset_id, "--format", "json").stdout)
    assert [s["text"] for s in document["segments"]] == [
        "Guten Morgen, liebe Gäste.",
        "Wir beginnen pünktlich & gut gelaunt.",
    ]
    assert [s["start"] for s in document["segments"]] == [1.0, 4.0]


def test_imported_text_is_searchable(cli, archive, transcribed_asset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from mediaarchive.search import index_asset
    from mediaarchive.services.search import search

    asset_id = transcribed_asset()
    human = tmp_path / "eroeffnung.srt"
    human.write_text(HUMAN_SRT, encoding="utf-8")
    with archive.session() as session:
        index_asset(session, find_asset(session, asset_id))
    assert search(archive, "Zufriedenheit"), "the Whisper transcript was indexed"
    assert cli("import-subtitles", asset_id, str(human)).exit_code == 0
    hits = search(archive, "Kaffee")
    assert [(hit.asset_id, hit.source, hit.start) for hit in hits] == [(asset_id, "speech", 10.2)]
    assert hits[0].link == f"/assets/{asset_id}#t=10.2"
    # The index follows the current transcript: the Whisper text is no longer found.
    assert search(archive, "Zufriedenheit") == []


ZEBRA_SRT = """1
00:00:01,000 --> 00:00:03,000
Achtung am Zebrastreifen!
"""


def test_the_subtitle_files_follow_the_imported_transcript(
    cli, archive, transcribed_asset, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    make_subtitle_files(archive, asset_id, ["vtt", "srt"], "de-broadcast")
    assert "Guten Morgen" in subtitle_files(archive, asset_id)["vtt"][0]
    human = tmp_path / "zebra.srt"
    human.write_text(ZEBRA_SRT, encoding="utf-8")

    result = cli("import-subtitles", asset_id, str(human), "--json")
    assert result.exit_code == 0, result.output
    files = subtitle_files(archive, asset_id)
    assert sorted(files) == ["srt", "vtt"]
    for text, params in files.values():
        assert "Zebrastreifen" in text and "Guten Morgen" not in text
        assert params["transcript_id"] == json.loads(result.stdout)["id"]
        assert params["preset"] == "de-broadcast"  # each file keeps its preset


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leer.srt", "", "holds no subtitle cue"),
        ("kaputt.srt", "1\n00:00:01,000 -> kaputt\nText\n", "not a valid SubRip"),
        ("kaputt.vtt", "WEBVTT\n\n00:00:01.000 --> 00:xx\nText\n", "not a valid WebVTT"),
    ],
)
def test_broken_files_are_refused_with_one_line(
    cli, transcribed_asset, tmp_path: Path, name: str, content: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = cli("import-subtitles", asset_id, str(path))
    assert result.exit_code == 1
    assert message in result.stderr and name in result.stderr
    # the Whisper transcript is still the current one
    assert json.loads(cli("subtitles", asset_id, "--format", "json").stdout)["model"] == "base"


def test_missing_file(cli, transcribed_asset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("import-subtitles", transcribed_asset(), str(tmp_path / "nope.srt"))
    assert result.exit_code == 1 and "does not exist" in result.stderr


def test_parse_detects_vtt_by_header() -> None:
    fmt, cues = parse_subtitles(HUMAN_VTT, "no-extension")
    assert fmt == "vtt" and len(cues) == 2
    with pytest.raises(SubtitleError):
        parse_subtitles("just some text", "notes.srt")
