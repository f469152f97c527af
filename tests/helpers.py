"""The few helpers every test shares: waiting on a condition, a free port, running one step,
running the CLI. One of each, so a fix to how the suite waits or runs lands everywhere."""

from __future__ import annotations

import socket
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner, Result

T = TypeVar("T")

#: Generous on purpose: a loaded 2-core CI machine runs the steps many times slower than a
#: laptop. A test that is correct only waits this long when something is broken.
WAIT_TIMEOUT = 120.0


def wait_until(
    condition: Callable[[], T],
    timeout: float = WAIT_TIMEOUT,
    interval: float = 0.05,
    message: str | Callable[[], str] = "condition not met",
) -> T:
    """Poll ``condition`` until it returns something truthy, and return that.

    Fails the test after ``timeout`` seconds with ``message`` (a string, or a callable for
    details known only then, such as a log's tail) and the condition's last value.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            pytest.fail(f"{text} (waited {timeout:g}s; last value: {value!r})", pytrace=False)
        time.sleep(interval)


def write_elsewhere(
    path: Any, statement: str, params: Sequence[Any] = (), *, timeout: float = 0.3
) -> str:
    """Run ``statement`` on another connection to the SQLite file ``path`` and commit, as
    another process or job would: "committed", or the error SQLite gave ("database is
    locked" while a connection here holds the write lock)."""
    other = sqlite3.connect(path, timeout=timeout)
    try:
        other.execute(statement, params)
        other.commit()
        return "committed"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        other.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_step(archive: Any, asset_id: int | str, name: str, threads: int = 1, **params: Any) -> None:
    """Run one registered step on an asset (id or short id), as a runner would: job row,
    context with the step's default params overridden by ``params``, commit."""
    from mediaarchive.archive import find_asset
    from mediaarchive.db import Asset, Job
    from mediaarchive.steps import STEPS, StepContext

    spec = STEPS[name]
    with archive.session() as session:
        if isinstance(asset_id, int):
            asset = session.get(Asset, asset_id)
        else:
            asset = find_asset(session, asset_id)
        job = session.query(Job).filter_by(asset_id=asset.id, step=name).one_or_none()
        if job is None:
            job = Job(asset_id=asset.id, step=name, state="running")
            session.add(job)
        job.params = params
        session.flush()
        ctx = StepContext(
            archive=archive,
            session=session,
            asset=asset,
            job=job,
            params={**spec.params, **params},
            threads=threads,
        )
        spec.run(ctx)
        job.state = "done"


def cli_command(*args: str) -> list[str]:
    """The command line of ``mediaarchive ARGS...`` in a process of its own (for tests that
    run commands side by side, kill them, or need a separate environment)."""
    return [sys.executable, "-m", "mediaarchive", *args]


def run_cli(*args: str, input: str | None = None) -> Result:
    """Run ``mediaarchive ARGS...`` in this process; stdout and stderr are kept apart and an
    unexpected exception propagates (with its traceback) instead of becoming exit code 1."""
    from mediaarchive.cli import main

    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
