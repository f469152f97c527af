"""Concurrency safety on the distributed set-up: real processes racing on PostgreSQL + S3."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from sqlalchemy import func, select

from mediaarchive import synth
from mediaarchive.db import Asset, SourceLink
from tests.helpers import cli_command

REPO = Path(__file__).resolve().parent.parent


def test_same_bytes_ingested_by_four_processes_at_once_are_one_asset(
    distributed, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    original = synth.talk_audio(["Gleichzeitig hochgeladen, einmal archiviert."])
    # Four copies under different names: same bytes reached by four different sources.
    copies = []
    for i in range(4):
        copy = tmp_path / f"upload-{i}.wav"
        copy.write_bytes(original.read_bytes())
        copies.append(copy)
    processes = [
        subprocess.Popen(
            cli_command("ingest", str(copy), "--no-process", "--json"),
            env=distributed.env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for copy in copies
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0] * 4, [err for _, err in outputs]
    results = [json.loads(out)[0] for out, _ in outputs]
    assert len({r["sha256"] for r in results}) == 1
    assert sum(r["created"] for r in results) == 1, "exactly one process created the asset"

    archive = distributed.archive()
    try:
        with archive.session() as session:
            assert session.scalar(select(func.count()).select_from(Asset)) == 1
            # Every source that reached the bytes is remembered on the one asset.
            links = session.scalars(select(SourceLink.url)).all()
            assert len(links) == 4
        assert len(list(archive.store.keys())) == 1
    finally:
        archive.close()
