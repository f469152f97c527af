"""Shared fixtures: a fresh archive home, a CLI runner, generated media (cached)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.helpers import run_cli

REPO = Path(__file__).resolve().parent.parent

# Generated media is cached inside the checkout so reruns (and CI's later tests) reuse it.
os.environ.setdefault("MEDIAARCHIVE_SYNTH_CACHE", str(REPO / ".cache" / "synth"))

# Fixture modules of the parts of the archive (one line each).
pytest_plugins = [
    "tests.fixtures.s3",
    "tests.fixtures.ocr",
    "tests.fixtures.sources",
    "tests.fixtures.media",
    "tests.fixtures.search",
    "tests.fixtures.services",
    "tests.fixtures.asr",
    "tests.fixtures.workers",
    "tests.fixtures.subtitles",
    "tests.fixtures.web",
    "tests.fixtures.curation",
]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh, empty archive home."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def archive(home: Path):  # type: ignore[no-untyped-def]
    """An ``Archive`` on the fresh home."""
    from mediaarchive.archive import Archive
    from mediaarchive.config import Settings

    arc = Archive(Settings.load(home=home))
    yield arc
    arc.close()


CliCall = Callable[..., Result]


@pytest.fixture
def cli(home: Path) -> CliCall:
    """Run ``mediaarchive --home HOME ARGS...``; stdout and stderr are kept apart."""

    def call(*args: str, input: str | None = None) -> Result:
        return run_cli("--home", str(home), *args, input=input)

    return call
