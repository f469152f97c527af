"""The subtitles command through the CLI: output, presets, --check exit codes, errors."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.subtitles import COMPOUND


def test_default_is_vtt_on_stdout(cli, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    result = cli("subtitles", asset_id[:8])
    assert result.exit_code == 0
    assert result.stdout.startswith("WEBVTT")
    assert "Guten Morgen" in result.stdout


def test_check_passes_for_good_speech(cli, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    for preset in ("default", "de-broadcast"):
        result = cli("subtitles", asset_id, "--preset", preset, "--check")
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        assert f"All cues keep to the preset {preset}" in result.stderr


def test_check_lists_every_broken_cue_and_exits_1(cli, transcribed_asset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset(f"Das Wort {COMPOUND} ist lang. Das ist normal.")
    out = tmp_path / "long.srt"
    result = cli("subtitles", asset_id, "--format", "srt", "--check", "-o", str(out))
    assert result.exit_code == 1
    report = result.stdout.strip().splitlines()
    assert len(report) == 1
    assert report[0].startswith("cue 1 0:00:00.000-")
    assert f"has {len(COMPOUND)} characters (max 42)" in report[0]
    assert "1 cue(s) break the preset default" in result.stderr
    assert COMPOUND in out.read_text(encoding="utf-8")  # the file is written all the same


def test_fast_speech_is_reported_for_de_broadcast_only(cli, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset(
        "Wir haben in diesem Jahr sehr viele neue Projekte angefangen und die meisten davon "
        "laufen auch schon richtig gut, obwohl die Finanzierung noch nicht ganz gesichert ist",
        chars_per_second=16.5,
    )
    assert cli("subtitles", asset_id, "--check").exit_code == 0
    result = cli("subtitles", asset_id, "--check", "--preset", "de-broadcast")
    assert result.exit_code == 1
    assert "characters/s (max 15)" in result.stdout


def test_preset_from_setting(cli, transcribed_asset, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    monkeypatch.setenv("MEDIAARCHIVE_SUBTITLE_PRESET", "de-broadcast")
    narrow = cli("subtitles", asset_id, "--format", "srt").stdout
    wide = cli("subtitles", asset_id, "--format", "srt", "--preset", "default").stdout
    assert narrow != wide
    assert max(len(line) for line in narrow.splitlines()) <= 37
    assert max(len(line) for line in wide.splitlines()) > 37


def test_errors_are_one_line(cli, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    missing = cli("subtitles", "abcdef123456")
    assert missing.exit_code == 1 and missing.stdout == ""
    assert missing.stderr.splitlines() == [
        "Error: no asset with id abcdef123456: see 'mediaarchive status' for ids"
    ]
    silent = transcribed_asset(None, title="Stille")
    result = cli("subtitles", silent, "--format", "srt")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    # A usage error (exit 2) is click's: the usage and a --help hint, then one error line.
    bad = cli("subtitles", silent, "--preset", "netflix")
    assert bad.exit_code == 2 and bad.stdout == ""
    lines = bad.stderr.splitlines()
    assert [line for line in lines if line.startswith("Error")] == [lines[-1]]
    assert lines[-1] == (
        "Error: Invalid value for '--preset': 'netflix' is not one of 'de-broadcast', 'default'."
    )
    assert "Traceback" not in bad.stderr and "--help" in lines[1]


def test_asset_without_transcript_says_what_to_do(cli, archive, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from mediaarchive.db import Asset

    original = tmp_path / "bild.jpg"
    original.write_bytes(b"not really a jpeg")
    blob = archive.store.put_file(original)
    with archive.session() as session:
        session.add(
            Asset(
                sha256=blob.sha256,
                size=blob.size,
                kind="image",
                blob_key=blob.key,
                filename="bild.jpg",
                title="Bild",
            )
        )
    result = cli("subtitles", blob.sha256[:12])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ") and "has no transcript" in line
    assert "import-subtitles" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unwritable_output_is_one_line(cli, transcribed_asset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("subtitles", transcribed_asset(), "-o", str(tmp_path / "missing" / "x.vtt"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write") and "missing" in result.stderr


def test_check_as_json(cli, transcribed_asset) -> None:  # type: ignore[no-untyped-def]
    import json

    asset_id = transcribed_asset(f"Das Wort {COMPOUND} ist lang.")
    result = cli("subtitles", asset_id, "--check", "--json", "--preset", "de-broadcast")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["asset_id"] == asset_id
    assert report["preset"]["name"] == "de-broadcast"
    assert report["preset"]["max_chars_per_line"] == 37
    [problem] = report["problems"]
    assert problem["index"] == 1 and COMPOUND in problem["text"]
    assert problem["reasons"] == [f"line 2 has {len(COMPOUND)} characters (max 37)"]


def test_format_follows_the_output_file(cli, transcribed_asset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    asset_id = transcribed_asset()
    srt_file, txt_file, forced = tmp_path / "a.de.srt", tmp_path / "a.txt", tmp_path / "b.srt"
    assert cli("subtitles", asset_id, "-o", str(srt_file)).exit_code == 0
    assert srt_file.read_text(encoding="utf-8").startswith("1\n00:00:00,000 --> ")
    assert cli("subtitles", asset_id, "-o", str(txt_file)).exit_code == 0
    assert txt_file.read_text(encoding="utf-8").startswith("Eröffnung Labcamp 4\n")
    assert cli("subtitles", asset_id, "--format", "vtt", "-o", str(forced)).exit_code == 0
    assert forced.read_text(encoding="utf-8").startswith("WEBVTT")
