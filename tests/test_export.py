"""Export of an event as a BagIt bag: a folder that validates, and an upload to S3."""

from __future__ import annotations

import json
from pathlib import Path

import bagit
import boto3
import srt

from tests.fixtures.subtitles import SPEECH
from tests.fixtures.transcripts import provenance

HUMAN_SRT = "1\n00:00:01,000 --> 00:00:04,000\nWillkommen im Stadtlabor.\n"


def make_event(cli, transcribed_asset, tmp_path: Path) -> list[str]:  # type: ignore[no-untyped-def]
    first = transcribed_asset(title="Eröffnung", speakers=["Anna Beispiel"])
    second = transcribed_asset("Zweiter Vortrag über offene Daten.", title="Offene Daten")
    transcribed_asset("Anderes Event.", title="Woanders", event="Labcamp 3")
    human = tmp_path / "stadtlabor.srt"
    human.write_text(HUMAN_SRT, encoding="utf-8")
    assert cli("import-subtitles", second, str(human)).exit_code == 0
    return [first, second]


def test_event_exports_as_a_valid_bag(cli, transcribed_asset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first, second = make_event(cli, transcribed_asset, tmp_path)
    target = tmp_path / "export" / "labcamp4"
    result = cli("export", "--event", "labcamp 4", "--to", str(target), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["assets"] == 2 and summary["event"] == "Labcamp 4"

    bag = bagit.Bag(str(target))
    bag.validate()  # every checksum of every manifest
    assert set(bag.algorithms) == {"sha256", "sha512"}
    assert bag.info["External-Identifier"] == "Labcamp 4"
    assert "Payload-Oxum" in bag.info
    data = target / "data"
    assert sorted(p.name for p in data.iterdir()) == sorted([first, second, "event.json"])

    metadata = json.loads((data / first / "metadata.json").read_text(encoding="utf-8"))
    dc = metadata["dublin_core"]
    assert dc["dc:title"] == "Eröffnung" and dc["dc:creator"] == ["Anna Beispiel"]
    assert dc["dc:type"] == "MovingImage" and dc["dc:format"] == "video/mp4"
    assert dc["dc:identifier"].startswith("sha256:" + first)
    assert dc["dcterms:isPartOf"] == ["Labcamp 4"] and dc["dc:language"] == "de"
    assert metadata["archive"]["ocr"] == []
    original = data / first / metadata["files"]["original"]
    assert original.read_bytes().startswith(b"original media")

    subtitles = (data / first / metadata["files"]["subtitles_srt"]).read_text(encoding="utf-8")
    assert list(srt.parse(subtitles))[0].content.startswith("Guten Morgen")
    assert (data / first / metadata["files"]["subtitles_vtt"]).read_text().startswith("WEBVTT")

    # The second asset's transcript, with provenance: the import is its current revision.
    second_meta = json.loads((data / second / "metadata.json").read_text(encoding="utf-8"))
    transcripts = [
        json.loads((data / second / path).read_text(encoding="utf-8"))
        for path in second_meta["files"]["transcripts"]
    ]
    assert [(t["model"], t["current"], t["revision"]) for t in transcripts] == [("base", True, 2)]
    assert [s["text"] for s in transcripts[0]["segments"]] == ["Willkommen im Stadtlabor."]
    recorded = dict(transcripts[0]["provenance"])
    assert recorded.pop("imports")[0]["filename"] == "stadtlabor.srt"
    assert recorded == provenance("base")  # how the ASR text was made stays on record
    assert transcripts[0]["segments"][0]["words"]
    exported_srt = (data / second / second_meta["files"]["subtitles_srt"]).read_text()
    assert "Willkommen im Stadtlabor." in exported_srt


def test_export_refuses_a_non_empty_folder_and_unknown_events(
    cli, transcribed_asset, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    transcribed_asset()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    result = cli("export", "--event", "Labcamp 4", "--to", str(busy))
    assert result.exit_code == 1 and "not empty" in result.stderr
    assert (busy / "keep.txt").read_text() == "mine"
    result = cli("export", "--event", "Labcamp 99", "--to", str(tmp_path / "new"))
    assert result.exit_code == 1 and "Labcamp 4" in result.stderr
    assert not (tmp_path / "new").exists()


def test_export_uploads_the_bag_to_s3(cli, transcribed_asset, tmp_path: Path, s3_env) -> None:  # type: ignore[no-untyped-def]
    first, second = make_event(cli, transcribed_asset, tmp_path)
    s3 = boto3.client("s3", endpoint_url=s3_env)
    s3.create_bucket(
        Bucket="exports", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )

    result = cli(
        "export", "--event", "Labcamp 4", "--to", "s3://exports/2026/labcamp4", "--proxies"
    )
    assert result.exit_code == 0, result.output

    keys = [obj["Key"] for obj in s3.list_objects_v2(Bucket="exports")["Contents"]]
    assert "2026/labcamp4/bagit.txt" in keys
    assert f"2026/labcamp4/data/{first}/metadata.json" in keys
    # Download the bag as a reader would and validate it.
    local = tmp_path / "downloaded"
    for key in keys:
        path = local / key.removeprefix("2026/labcamp4/")
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file("exports", key, str(path))
    bagit.Bag(str(local)).validate()
    assert "Guten Morgen" in (local / "data" / first / "subtitles" / f"{first}.vtt").read_text()
    # No proxies were made for these assets: the originals go instead.
    assert (local / "data" / second / "original").is_dir()


def test_export_to_a_missing_bucket_fails_with_one_line(
    cli, transcribed_asset, tmp_path: Path, s3_env
) -> None:  # type: ignore[no-untyped-def]
    transcribed_asset(SPEECH)
    result = cli("export", "--event", "Labcamp 4", "--to", "s3://no-such-bucket/x")
    assert result.exit_code == 1
    assert "no-such-bucket" in result.stderr and len(result.stderr.splitlines()) == 1


def test_proxies_replace_originals_where_an_asset_has_one(
    cli, archive, transcribed_asset, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from mediaarchive.archive import find_asset
    from mediaarchive.db import Rendition

    with_proxy = transcribed_asset(title="Mit Proxy")
    without = transcribed_asset("Kein Proxy hier.", title="Ohne Proxy")
    proxy_file = tmp_path / "proxy.mp4"
    proxy_file.write_bytes(b"proxy bytes, 720p")
    blob = archive.store.put_file(proxy_file)
    with archive.session() as session:
        asset = find_asset(session, with_proxy)
        session.add(
            Rendition(
                asset=asset,
                kind="proxy",
                sha256=blob.sha256,
                blob_key=blob.key,
                mime="video/mp4",
                size=blob.size,
                params={"height": 720},
            )
        )
    target = tmp_path / "bag"
    assert cli("export", "--event", "Labcamp 4", "--to", str(target), "--proxies").exit_code == 0
    bagit.Bag(str(target)).validate()
    meta = json.loads((target / "data" / with_proxy / "metadata.json").read_text())
    assert "original" not in meta["files"]
    assert (target / "data" / with_proxy / meta["files"]["proxy"]).read_bytes() == (
        b"proxy bytes, 720p"
    )
    assert meta["archive"]["renditions"][0]["kind"] == "proxy"
    other = json.loads((target / "data" / without / "metadata.json").read_text())
    assert other["files"]["original"].startswith("original/")
    assert "proxies instead of originals" in (target / "bag-info.txt").read_text()
