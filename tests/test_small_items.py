"""The smaller findings of the hostile trial: a file name with a newline cannot forge a line
of output, a CSV quote left open is an error, a date that is no date is refused, and a
picture too large to decode says so."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest


def test_a_file_name_with_a_newline_stays_on_its_line(cli, tmp_path: Path) -> None:
    forged = "notes.bin\nabcdef123456  video  Keynote  (archived)"
    (tmp_path / forged).write_bytes(b"Protokoll der Sitzung")
    result = cli("ingest", str(tmp_path / forged), "--no-process")
    assert result.exit_code == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert line.endswith("other  notes.bin\\nabcdef123456  video  Keynote  (archived)  (archived)")
    status_line, steps_line = cli("status").stdout.splitlines()  # the asset, then its steps
    assert "notes.bin\\nabcdef123456" in status_line and steps_line.startswith("    fetch")
    [entry] = json.loads(cli("status", "--json").stdout)
    assert entry["title"] == forged  # stored as it is; only shown escaped


def test_a_csv_quote_left_open_is_an_error_naming_its_line(cli, tmp_path: Path) -> None:
    manifest = tmp_path / "talks.csv"
    manifest.write_text(
        "url,title\n"
        "https://example.org/a.mp4,Eröffnung\n"
        'https://example.org/b.mp4,"Keynote: Offene Daten\n'
        "https://example.org/c.mp4,Podium\n",
        encoding="utf-8",
    )
    result = cli("ingest", str(manifest), "--no-process")
    assert result.exit_code == 1
    assert (
        f"{manifest} line 3: a quote opened in this entry is never closed (the rest of the "
        "file would become one value); close the quote or remove it"
    ) in result.stderr
    assert json.loads(cli("status", "--json").stdout) == []


def test_a_manifest_date_that_is_no_date_is_refused(cli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.bin"
    notes.write_bytes(b"Protokoll")
    manifest = tmp_path / "talks.yaml"
    manifest.write_text(
        f"- url: {notes}\n  title: Protokoll\n  date: not-a-date\n"
        f"- url: {notes}\n  title: Protokoll\n  date: 2024-13\n",
        encoding="utf-8",
    )
    result = cli("ingest", str(manifest), "--no-process")
    assert result.exit_code == 1
    assert (
        "talks.yaml line 1: date 'not-a-date' is not a date: use YYYY-MM-DD (or YYYY-MM, YYYY)"
    ) in result.stderr
    assert "talks.yaml line 4: date '2024-13' is not a date" in result.stderr
    assert json.loads(cli("status", "--json").stdout) == []
    option = cli("ingest", str(notes), "--date", "13.07.2021", "--no-process")
    assert option.exit_code == 1 and "--date '13.07.2021' is not a date" in option.stderr


@pytest.mark.parametrize("value", ["2024-13", "2024-02-30", "2024-00"])
def test_search_since_a_month_that_does_not_exist_is_refused(cli, value: str) -> None:
    result = cli("search", "Labor", "--since", value)
    assert result.exit_code == 1
    assert f"--since '{value}' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD" in result.stderr


def _huge_png(path: Path, width: int, height: int) -> Path:
    """A real black-and-white PNG (1 bit a pixel, so 30000x30000 is ~110 MB to compress)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    return path


@pytest.mark.usefixtures("core_pipelines")
def test_a_picture_too_large_to_decode_says_so(cli, tmp_path: Path) -> None:
    picture = _huge_png(tmp_path / "plakat.png", 30000, 30000)
    ingested = cli("ingest", str(picture), "--no-process", "--json")
    [entry] = json.loads(ingested.stdout)
    assert entry["kind"] == "image"
    result = cli("run")
    assert result.exit_code == 1
    assert (
        "the picture is 30000x30000 pixels (900 megapixels), more than the 250 megapixels "
        "ffmpeg can decode; the original is archived"
    ) in result.stderr
    assert "Error marking filters" not in result.stderr
