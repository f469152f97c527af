"""Where the time of one command went, per step and per phase (``ingest --profile FILE``).

Off unless ``start()`` was called (``--profile FILE``, or ``MEDIAARCHIVE_PROFILE=FILE`` for any
command): then ``step(asset, name)`` times each pipeline step and ``phase(name)`` the phases
inside it (load model, read audio, decode, guards, DB writes, ffmpeg…). Phases nest and are
counted exclusively: the time of an inner phase is not counted again in the outer one, and
what no phase covers is the step's ``other``. Phases outside any step (start-up, fetching)
go to the run's own list. ``write(path)`` writes a plain-text table, or JSON for ``.json``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["Profile", "active", "phase", "start", "step", "stop", "timed", "write"]

ENV = "MEDIAARCHIVE_PROFILE"
_OUTSIDE = ("", "")
_END = object()
T = TypeVar("T")


class Profile:
    """The times of one run: per (asset, step) the step's wall time and its phases."""

    def __init__(self) -> None:
        self.began = time.monotonic()
        self.startup = _process_age()
        self.lock = threading.Lock()
        self.steps: dict[tuple[str, str], dict[str, Any]] = {}
        self.phases: dict[str, float] = {}  # outside any step
        self.local = threading.local()

    def add(self, key: tuple[str, str], name: str, seconds: float) -> None:
        with self.lock:
            target = self.phases if key == _OUTSIDE else self._entry(key)["phases"]
            target[name] = target.get(name, 0.0) + seconds

    def _entry(self, key: tuple[str, str]) -> dict[str, Any]:
        return self.steps.setdefault(key, {"seconds": 0.0, "phases": {}})

    def to_json(self) -> dict[str, Any]:
        wall = time.monotonic() - self.began
        with self.lock:
            steps = []
            for (asset, name), entry in self.steps.items():
                phases = {k: round(v, 3) for k, v in entry["phases"].items()}
                other = entry["seconds"] - sum(entry["phases"].values())
                phases["other"] = round(max(0.0, other), 3)
                steps.append(
                    {
                        "asset": asset,
                        "step": name,
                        "seconds": round(entry["seconds"], 3),
                        "phases": phases,
                    }
                )
            in_steps = sum(entry["seconds"] for entry in self.steps.values())
            return {
                "startup_seconds": round(self.startup, 3) if self.startup is not None else None,
                "command_seconds": round(wall, 3),
                "total_seconds": round(wall + (self.startup or 0.0), 3),
                "steps_seconds": round(in_steps, 3),
                "steps": steps,
                "outside_steps": {k: round(v, 3) for k, v in self.phases.items()},
            }


_ACTIVE: Profile | None = None


def active() -> Profile | None:
    return _ACTIVE


def start() -> Profile:
    """Start profiling this process (the time before it counts as start-up)."""
    global _ACTIVE
    _ACTIVE = Profile()
    return _ACTIVE


def stop() -> Profile | None:
    global _ACTIVE
    profile, _ACTIVE = _ACTIVE, None
    return profile


@contextmanager
def step(asset: str, name: str) -> Iterator[None]:
    """Time one pipeline step of one asset (in this thread)."""
    profile = _ACTIVE
    if profile is None:
        yield
        return
    local = profile.local
    saved = getattr(local, "key", _OUTSIDE), getattr(local, "stack", [])
    local.key, local.stack = (asset, name), []
    began = time.monotonic()
    try:
        yield
    finally:
        with profile.lock:
            profile._entry((asset, name))["seconds"] += time.monotonic() - began
        local.key, local.stack = saved


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Time a phase of the current step (exclusive of the phases nested in it)."""
    profile = _ACTIVE
    if profile is None:
        yield
        return
    local = profile.local
    if not hasattr(local, "stack"):
        local.key, local.stack = _OUTSIDE, []
    key, stack = local.key, local.stack
    stack.append(0.0)  # time spent in nested phases
    began = time.monotonic()
    try:
        yield
    finally:
        spent = time.monotonic() - began
        inner = stack.pop()
        if stack:
            stack[-1] += spent
        profile.add(key, name, spent - inner)


def write(profile: Profile, path: Path) -> None:
    """The profile as JSON (``.json``) or as a table a user reads."""
    data = profile.to_json()
    path = Path(path)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return
    lines = [
        f"total {data['total_seconds']:.2f} s: start-up {data['startup_seconds'] or 0:.2f} s, "
        f"command {data['command_seconds']:.2f} s, of which steps {data['steps_seconds']:.2f} s",
    ]
    if data["outside_steps"]:
        lines.append("outside the steps:")
        lines += [f"  {k:<28} {v:8.3f} s" for k, v in data["outside_steps"].items()]
    for entry in data["steps"]:
        lines.append(f"{entry['asset']} {entry['step']:<22} {entry['seconds']:8.3f} s")
        ranked = sorted(entry["phases"].items(), key=lambda item: -item[1])
        lines += [f"  {k:<28} {v:8.3f} s" for k, v in ranked]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _process_age() -> float | None:
    """Seconds since this process started (Linux), i.e. interpreter start-up and imports."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def timed(items: Iterable[T], name: str) -> Iterator[T]:
    """``items`` as they come, the time spent producing each counted as phase ``name`` (a
    lazy decoder's work happens in its ``next``)."""
    iterator = iter(items)
    while True:
        with phase(name):
            item = next(iterator, _END)
        if item is _END:
            return
        yield item  # type: ignore[misc]
