"""What a pipeline step is: a plain function over a ``StepContext``, registered by name.

Steps do not know who runs them: the local runner and the Celery tasks build the same
context and call the same function.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mediaarchive import profiling
from mediaarchive.archive import Archive
from mediaarchive.db import Asset, Job, Rendition

#: Called with (done, total, unit), e.g. (120.5, 3600.0, "s").
ProgressCallback = Callable[[float, float, str], None]


def _no_progress(done: float, total: float, unit: str) -> None:
    return None


class SkipStep(Exception):  # noqa: N818 - a signal to the runner, not an error
    """Raised by a step that has nothing to do for this asset (e.g. a video without audio).

    The runner records the job as "skipped" with the reason; later steps still run.
    """


@dataclass
class StepContext:
    """Everything a step may use. ``session`` is committed by the runner after the step."""

    archive: Archive
    session: Session
    asset: Asset
    job: Job
    params: dict[str, Any]
    #: CPU threads this step may use (the runner's budget: jobs × threads ≤ cores).
    threads: int = 1
    workdir: Path | None = None
    progress: ProgressCallback = field(default=_no_progress)

    @property
    def label(self) -> str:
        """How to name the asset in messages: ``asset 1a2b3c4d5e6f (talk.mp4)``."""
        name = self.asset.filename or self.asset.title
        return f"asset {self.asset.short_id}" + (f" ({name})" if name else "")

    def temp_path(self, name: str) -> Path:
        """A path for a file being made; the runner removes whatever is left there."""
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix=f"job-{self.job.id}-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        return self.workdir / name

    def checkpoint(self, **progress: Any) -> None:
        """Record resumable progress on the job and commit what the step has written so far."""
        self.job.progress = {**(self.job.progress or {}), **progress}
        self.session.commit()

    def rendition(self, kind: str, label: str = "") -> Rendition | None:
        """The asset's rendition of this kind and label, if one was made."""
        return self.session.scalar(
            select(Rendition).where(
                Rendition.asset_id == self.asset.id,
                Rendition.kind == kind,
                Rendition.label == label,
            )
        )

    def save_rendition(
        self,
        kind: str,
        path: Path,
        *,
        mime: str,
        params: dict[str, Any],
        label: str = "",
    ) -> Rendition:
        """Store a finished file as the asset's rendition (replacing an older one).

        The file is moved into the content-addressed store; ``params`` records exactly
        what made it.
        """
        return save_rendition(
            self.archive,
            self.session,
            self.asset,
            kind,
            path,
            mime=mime,
            params=params,
            label=label,
        )


def save_rendition(
    archive: Archive,
    session: Session,
    asset: Asset,
    kind: str,
    path: Path,
    *,
    mime: str,
    params: dict[str, Any],
    label: str = "",
) -> Rendition:
    """``StepContext.save_rendition`` for code that runs outside a job (a transcript made
    current from the command line re-renders its subtitles)."""
    with profiling.phase("store put"):
        blob = archive.store.put_file(Path(path), move=True)
    rendition = session.scalar(
        select(Rendition).where(
            Rendition.asset_id == asset.id, Rendition.kind == kind, Rendition.label == label
        )
    )
    if rendition is None:
        rendition = Rendition(asset_id=asset.id, kind=kind, label=label)
        session.add(rendition)
    rendition.sha256 = blob.sha256
    rendition.blob_key = blob.key
    rendition.size = blob.size
    rendition.mime = mime
    rendition.params = params
    rendition.damaged = None  # made again: sound bytes under its key
    session.flush()
    return rendition


@dataclass(frozen=True)
class StepSpec:
    """A registered step: its function, the kinds it applies to and its parameters."""

    name: str
    run: Callable[[StepContext], None]
    kinds: tuple[str, ...]
    #: Allowed parameters with their defaults; a pipeline file may set only these.
    params: dict[str, Any]
    description: str
    #: Steps whose work is mostly one CPU-heavy library call (transcribe) go to their own queue.
    queue: str = "default"
    #: What the step can prepare before its turn, in the background while the asset's
    #: earlier steps run (transcribe: load its model): called with the archive, the job's
    #: parameters and the threads the step will get. It changes nothing the step would
    #: not do itself; its errors are left for the step to meet and report.
    warm: Callable[[Archive, dict[str, Any], int], None] | None = None
    #: The step's heavy work holds its cores itself (``cores``: the transcriber's model
    #: calls); the runner holds them for every other step while it runs.
    holds_cores: bool = False


STEPS: dict[str, StepSpec] = {}


def step(
    name: str,
    *,
    kinds: tuple[str, ...],
    params: dict[str, Any] | None = None,
    description: str,
    queue: str = "default",
    warm: Callable[[Archive, dict[str, Any], int], None] | None = None,
    holds_cores: bool = False,
) -> Callable[[Callable[[StepContext], None]], Callable[[StepContext], None]]:
    """Register a step function under ``name`` (``warm``, ``holds_cores``: see
    ``StepSpec``)."""

    def register(func: Callable[[StepContext], None]) -> Callable[[StepContext], None]:
        STEPS[name] = StepSpec(
            name, func, kinds, dict(params or {}), description, queue, warm, holds_cores
        )
        return func

    return register
