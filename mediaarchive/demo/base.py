"""What the demo's stages share, and the loop that runs them in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from mediaarchive.services import Archive

#: The embedded default: the seed page, exactly as exported.
SEED_PAGE_NAME = "000_8e33b6325b9cc12a.txt"


def seed_page_path() -> Path:
    """The seed page shipped inside the package."""
    return Path(str(resources.files("mediaarchive") / "demo_data" / SEED_PAGE_NAME))


@dataclass
class DemoContext:
    """State passed from stage to stage.

    Stages read what earlier stages left (``endpoint``, ``results``) and may leave more in
    ``data`` for later ones. ``cleanup`` closes servers and restores the environment at the
    end, whatever happens.
    """

    archive: Archive
    event: str | None = None
    seed_page: Path = field(default_factory=seed_page_path)
    endpoint: str | None = None
    #: ``IngestResult``s of the ingest stage.
    results: list[Any] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    cleanup: ExitStack = field(default_factory=ExitStack)
    echo: Callable[[str], None] = click.echo

    def say(self, message: str = "") -> None:
        """A line of the demo's output (stdout)."""
        self.echo(message)

    def heading(self, title: str) -> None:
        self.echo("")
        self.echo(f"== {title}")


#: A stage: a plain function over the context; its docstring's first line is its title.
Stage = Callable[[DemoContext], None]


def run_demo(context: DemoContext, stages: Sequence[Stage]) -> DemoContext:
    """Run the stages one after another; cleanups run even when a stage fails."""
    with context.cleanup:
        for stage in stages:
            title = (stage.__doc__ or stage.__name__).strip().splitlines()[0].rstrip(".")
            context.heading(title)
            stage(context)
    return context
