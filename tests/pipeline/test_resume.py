"""A `mediaarchive run` killed with SIGKILL mid-transcode resumes cleanly with `run`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from mediaarchive import synth
from mediaarchive.archive import Archive
from mediaarchive.db import Job, Rendition
from mediaarchive.media.probe import probe_file
from mediaarchive.store import hash_file
from tests.fixtures.media import make_asset
from tests.helpers import cli_command, wait_until

pytestmark = pytest.mark.usefixtures("core_pipelines")


def ffmpeg_writing_into(folder: Path) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if b"ffmpeg" in cmdline and str(folder).encode() in cmdline:
                pids.append(int(proc.name))
    return pids


def test_killed_run_resumes_without_redoing_finished_work(archive: Archive, home: Path) -> None:
    video = synth.pattern_video(seconds=40, size=(1280, 720), rate=25)
    asset = make_asset(archive, video, kind="video")
    env = {**os.environ, "MEDIAARCHIVE_THREADS": "1"}
    tmp = home / "store" / "tmp"
    first = subprocess.Popen(
        cli_command("--home", str(home), "run"),
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group: frozen together with its ffmpeg
    )
    try:
        assert first.stderr is not None
        for line in first.stderr:
            if "transcode: started" in line:
                break

        def proxy_being_written() -> list[Path]:
            assert first.poll() is None, "the run ended before the proxy was half written"
            return [p for p in tmp.glob("job-*/proxy.mp4") if p.stat().st_size > 50_000]

        partial = wait_until(proxy_being_written, message="the proxy was never being written")
        # Freeze the run and its ffmpeg where they are, so the kill lands mid-transcode however
        # fast the machine is; what the database says now is what the kill leaves behind.
        os.killpg(first.pid, signal.SIGSTOP)
        with archive.session() as session:
            proxy = session.scalar(select(Rendition).where(Rendition.kind == "proxy"))
            assert proxy is None, "the transcode finished before it could be killed"
        first.send_signal(signal.SIGKILL)  # ffmpeg is not signalled: it must die with its parent
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
        try:  # nothing of the group stays frozen, whatever happened
            os.killpg(first.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
    workdir = partial[0].parent

    with archive.session() as session:
        jobs = {j.step: j for j in session.scalars(select(Job).where(Job.asset_id == asset.id))}
        assert jobs["transcode"].state == "running"
        assert jobs["transcode"].worker == f"local:{first.pid}"
        speech = session.scalar(select(Rendition).where(Rendition.kind == "speech_audio"))
        assert speech is not None, "the speech audio was finished (and kept) before the kill"
        speech_made = (speech.id, speech.created_at)
        assert session.scalar(select(Rendition).where(Rendition.kind == "proxy")) is None
    # ffmpeg died with its parent instead of writing on in the background.
    wait_until(lambda: ffmpeg_writing_into(workdir) == [], message="ffmpeg outlived the killed run")

    resumed = subprocess.run(
        cli_command("--home", str(home), "run", "--json"),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    document = json.loads(resumed.stdout)
    assert [item["state"] for item in document] == ["done"]
    assert "Resuming 1 interrupted step" in resumed.stderr

    with archive.session() as session:
        jobs = {j.step: j for j in session.scalars(select(Job).where(Job.asset_id == asset.id))}
        assert (jobs["probe"].state, jobs["probe"].attempts) == ("done", 1)
        assert (jobs["transcode"].state, jobs["transcode"].attempts) == ("done", 2)
        renditions = {r.kind: r for r in session.scalars(select(Rendition))}
        assert {"speech_audio", "proxy", "poster"} <= set(renditions)
        speech = renditions["speech_audio"]
        assert (speech.id, speech.created_at) == speech_made, "speech audio was not redone"
        for rendition in renditions.values():
            path = archive.store.local_path(rendition.blob_key)
            assert hash_file(path) == (rendition.sha256, rendition.size)
        proxy = probe_file(archive.store.local_path(renditions["proxy"].blob_key))
    assert proxy["duration"] > 39
    assert {s["codec"] for s in proxy["streams"]} == {"h264", "aac"}
    assert not workdir.exists()
    assert list(tmp.iterdir()) == [], "nothing half-written is left in the store"
