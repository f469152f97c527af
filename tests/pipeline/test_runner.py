"""The runner over real media: states, renditions, failures that stay local, retries."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.db import Asset, Job
from mediaarchive.errors import DatabaseBusyError, MediaArchiveError
from mediaarchive.media.probe import probe_file
from mediaarchive.pipeline.runner import queue_asset, retry, run_job, run_queued, thread_budget
from mediaarchive.steps.base import STEPS, step
from tests.fixtures.media import make_asset

pytestmark = pytest.mark.usefixtures("core_pipelines")


def jobs_of(archive: Archive, asset_id: int) -> dict[str, Job]:
    with archive.session() as session:
        jobs = session.scalars(select(Job).where(Job.asset_id == asset_id)).all()
        return {job.step: job for job in jobs}


def renditions_of(archive: Archive, asset_id: int) -> dict[str, Path]:
    with archive.session() as session:
        asset = session.get(Asset, asset_id)
        return {r.kind: archive.store.local_path(r.blob_key) for r in asset.renditions}


def test_every_kind_gets_its_renditions_and_bad_files_fail_alone(
    archive: Archive, media_files: dict[str, Path]
) -> None:
    kinds = {
        "mp4": "video",
        "mkv": "video",
        "mp3": "audio",
        "wav": "audio",
        "silent": "video",
        "image": "image",
        "corrupt": "video",
        "empty": "video",
    }
    assets = {
        name: make_asset(archive, media_files[name], kind=kind) for name, kind in kinds.items()
    }
    result = run_queued(archive, jobs=2)
    assert sorted(result.failed) == sorted([assets["corrupt"].id, assets["empty"].id])
    assert (result.jobs, result.threads) == (2, max(1, archive.settings.total_threads // 2))

    expected = {
        "mp4": {"speech_audio", "proxy", "poster"},
        "mkv": {"speech_audio", "proxy", "poster"},
        "mp3": {"speech_audio", "proxy"},
        "wav": {"speech_audio", "proxy"},
        "silent": {"proxy", "poster"},
        "image": {"thumbnail"},
        "corrupt": set(),
        "empty": set(),
    }
    for name, asset in assets.items():
        made = renditions_of(archive, asset.id)
        assert set(made) == expected[name], name
        for path in made.values():
            assert path.is_file()
    speech = probe_file(renditions_of(archive, assets["mkv"].id)["speech_audio"])
    assert speech["streams"][0]["sample_rate"] == 16000
    # An audio file's speech audio and proxy come from one ffmpeg run (a video's apart, so
    # that an interrupted proxy keeps the speech audio); each is the whole recording.
    with archive.session() as session:
        commands = {
            (name, r.kind): r.params["ffmpeg"]
            for name in ("wav", "mp4")
            for r in session.get(Asset, assets[name].id).renditions
        }
    assert "OTHER_OUTPUT" in commands["wav", "speech_audio"]
    assert "OTHER_OUTPUT" in commands["wav", "proxy"]
    assert "OTHER_OUTPUT" not in commands["mp4", "speech_audio"] + commands["mp4", "proxy"]
    wav = probe_file(media_files["wav"])["duration"]
    for kind in ("speech_audio", "proxy"):
        made = probe_file(renditions_of(archive, assets["wav"].id)[kind])
        assert made["duration"] == pytest.approx(wav, abs=0.1), kind

    with archive.session() as session:
        states = {name: session.get(Asset, a.id).state for name, a in assets.items()}
        assert session.get(Asset, assets["mp4"].id).probe["has_audio"] is True
    assert states == {**{n: "done" for n in kinds}, "corrupt": "failed", "empty": "failed"}
    image_jobs = jobs_of(archive, assets["image"].id)
    assert [image_jobs[s].state for s in ("fetch", "probe", "thumbnail")] == ["done"] * 3
    corrupt = jobs_of(archive, assets["corrupt"].id)
    assert corrupt["probe"].state == "failed" and corrupt["probe"].attempts == 1
    assert "kaputt.mp4" in corrupt["probe"].error and "damaged" in corrupt["probe"].error
    assert corrupt["transcode"].state == "queued"  # not run after a failed probe
    assert "empty" in jobs_of(archive, assets["empty"].id)["probe"].error
    done = jobs_of(archive, assets["mp4"].id)["transcode"]
    assert done.seconds > 0 and done.worker.startswith("local:") and done.finished_at
    # Nothing half-made is left behind.
    assert not list((archive.store.local_path("") / "tmp").glob("job-*"))


def test_a_job_is_claimed_by_one_worker_only(
    archive: Archive, media_files: dict[str, Path]
) -> None:
    asset = make_asset(archive, media_files["wav"], kind="audio")
    with archive.session() as session:
        jobs = queue_asset(session, session.get(Asset, asset.id))
        probe_id = next(job.id for job in jobs if job.step == "probe")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def worker(n: int) -> None:
        barrier.wait()
        outcomes.append(run_job(archive, probe_id, worker=f"test:{n}", threads=1))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("done") >= 1
    assert jobs_of(archive, asset.id)["probe"].attempts == 1


@pytest.fixture
def flaky_step(home: Path):  # type: ignore[no-untyped-def]
    """A test-only step that fails transiently twice, then works (a fake: a transient
    failure cannot be produced on demand with real ffmpeg)."""
    calls: list[int] = []

    @step(
        "flaky",
        kinds=("video",),
        params={"fail_times": 2, "permanent": False},
        description="test step",
    )
    def flaky(ctx):  # type: ignore[no-untyped-def]
        calls.append(1)
        if ctx.params["permanent"]:
            raise MediaArchiveError("the flaky step is broken for good")
        if len(calls) <= ctx.params["fail_times"]:
            raise MediaArchiveError("network hiccup", transient=True)

    folder = home / "pipelines"
    folder.mkdir(exist_ok=True)
    (folder / "flaky.yaml").write_text("name: flaky\nsteps:\n  - flaky\n")
    (folder / "broken.yaml").write_text("name: broken\nsteps:\n  - flaky: {permanent: true}\n")
    yield calls
    STEPS.pop("flaky", None)


def test_transient_failures_retry_with_backoff_permanent_do_not(
    home: Path, media_files: dict[str, Path], flaky_step: list[int]
) -> None:
    archive = Archive(Settings.load(home=home, step_retry_delay=0.01))
    try:
        first = make_asset(archive, media_files["silent"], kind="video", pipeline="flaky")
        result = run_queued(archive)
        assert result.failed == []
        job = jobs_of(archive, first.id)["flaky"]
        assert (job.state, job.attempts, job.error) == ("done", 3, None)

        second = make_asset(archive, media_files["mp4"], kind="video", pipeline="broken")
        flaky_step.clear()
        result = run_queued(archive)
        job = jobs_of(archive, second.id)["flaky"]
        assert (job.state, job.attempts) == ("failed", 1)
        assert result.failed == [second.id] and len(flaky_step) == 1
    finally:
        archive.close()


def test_a_job_outcome_the_busy_database_cannot_take_is_an_error_not_silence(
    archive: Archive, home: Path, media_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    @step("locks_db", kinds=("video",), description="test step")
    def locks_db(ctx):  # type: ignore[no-untyped-def]
        # A fake: another writer holding SQLite's lock for minutes cannot be had quickly.
        def locked():  # type: ignore[no-untyped-def]
            raise OperationalError("UPDATE jobs", {}, Exception("database is locked"))

        monkeypatch.setattr(ctx.archive, "session", locked)
        raise MediaArchiveError("the step failed")

    monkeypatch.setattr("time.sleep", lambda seconds: None)
    (home / "pipelines").mkdir(exist_ok=True)
    (home / "pipelines" / "locked.yaml").write_text("name: locked\nsteps:\n  - locks_db\n")
    try:
        asset = make_asset(archive, media_files["silent"], kind="video")
        with archive.session() as session:
            jobs = queue_asset(session, session.get(Asset, asset.id), "locked", home=home)
            job_id = next(job.id for job in jobs if job.step == "locks_db")
        with pytest.raises(
            DatabaseBusyError,
            match=f"cannot record that job {job_id} is failed: the database stayed busy",
        ):
            run_job(archive, job_id, worker="test:1", threads=1)
    finally:
        STEPS.pop("locks_db", None)


def test_thread_budget_never_oversubscribes() -> None:
    for cores in (1, 2, 4, 8):
        for jobs in (1, 2, 3, 16):
            parallel, threads = thread_budget(jobs, cores)
            assert parallel * threads <= cores and parallel >= 1 and threads >= 1
    assert thread_budget(1, 2) == (1, 2)


def test_cli_run_json_and_retry(
    cli,
    archive: Archive,  # type: ignore[no-untyped-def]
    media_files: dict[str, Path],
) -> None:
    good = make_asset(archive, media_files["image"], kind="image")
    bad = make_asset(archive, media_files["corrupt"], kind="video")
    result = cli("run", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    by_id = {item["id"]: item for item in document}
    assert by_id[good.short_id]["state"] == "done"
    failed = by_id[bad.short_id]
    assert failed["state"] == "failed"
    probe = next(s for s in failed["steps"] if s["name"] == "probe")
    assert probe["state"] == "failed" and "damaged" in probe["error"]
    assert set(probe) >= {"name", "state", "attempts", "error", "seconds", "worker"}
    assert f"{good.short_id} thumbnail: done" in result.stderr
    assert f"{bad.short_id} probe: failed" in result.stderr

    again = cli("run")
    assert again.exit_code == 0 and "Nothing to do" in again.stderr

    retried = cli("retry", bad.short_id, "--json")
    assert retried.exit_code == 1
    steps = json.loads(retried.stdout)[0]["steps"]
    assert next(s for s in steps if s["name"] == "probe")["attempts"] == 2


def test_retry_requeues_only_failed_steps(archive: Archive, media_files: dict[str, Path]) -> None:
    bad = make_asset(archive, media_files["corrupt"], kind="video")
    run_queued(archive)
    assert retry(archive) == [bad.id]
    with archive.session() as session:
        assert session.get(Asset, bad.id).state == "queued"
    assert jobs_of(archive, bad.id)["fetch"].state == "done"
