"""Which assets are pending: one rule for the local runner and for the workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from mediaarchive.archive import Archive
from mediaarchive.db import Asset
from mediaarchive.pipeline import pending_assets, queue_asset
from tests.fixtures.media import make_asset

pytestmark = pytest.mark.usefixtures("core_pipelines")


def _set_last_step(archive: Archive, asset_id: int, state: str) -> None:
    """Queue the asset's pipeline; its steps are done but the last, which is ``state``."""
    with archive.session() as session:
        asset = session.get(Asset, asset_id)
        jobs = [
            job
            for job in queue_asset(session, asset, home=archive.settings.home)
            if job.state == "queued"
        ]
        for job in jobs:
            job.state = "done"
        jobs[-1].state = state


def test_pending_is_one_rule_for_runner_and_workers(
    archive: Archive, media_files: dict[str, Path]
) -> None:
    new = make_asset(archive, media_files["image"], kind="image")
    gone = make_asset(archive, media_files["mp3"], kind="audio", pipeline="weg")
    running = make_asset(archive, media_files["wav"], kind="audio")
    failed = make_asset(archive, media_files["mp4"], kind="video")
    _set_last_step(archive, running.id, "running")
    _set_last_step(archive, failed.id, "failed")
    messages: list[str] = []

    class Messages:
        def message(self, text: str) -> None:
            messages.append(text)

    with archive.session() as session:
        here = pending_assets(session, home=archive.settings.home, reporter=Messages())  # type: ignore[arg-type]
        workers = pending_assets(session, home=archive.settings.home, include_running=True)
        states = dict(session.execute(select(Asset.id, Asset.state)).all())
    # The new asset got its pipeline's jobs; the one whose pipeline is gone failed, saying
    # why; a failed step waits for 'retry' either way.
    assert here.asset_ids == [new.id] and here.broken == [gone.id]
    assert states[gone.id] == "failed" and states[new.id] == "queued"
    assert len(messages) == 1
    assert messages[0].startswith(f"Error: asset {gone.short_id}: no pipeline named 'weg'")
    # The workers also take a running step (a task takes it over if its worker is gone).
    assert workers.asset_ids == [new.id, running.id] and workers.broken == []


def test_a_missing_pipeline_fails_its_asset_alone_with_workers_too(
    cli, archive: Archive, media_files: dict[str, Path]
) -> None:  # type: ignore[no-untyped-def]
    good = make_asset(archive, media_files["image"], kind="image")
    gone = make_asset(archive, media_files["mp3"], kind="audio", pipeline="weg")
    result = cli("--broker", "memory://", "run", "--json")
    assert result.exit_code == 1
    states = {entry["id"]: entry["state"] for entry in json.loads(result.stdout)}
    assert states == {good.short_id: "queued", gone.short_id: "failed"}
    assert f"Error: asset {gone.short_id}: no pipeline named 'weg'" in result.stderr
    assert "1 asset(s) queued for the workers at memory://" in result.stderr
