"""The command group, global options, error mapping and output helpers shared by commands."""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mediaarchive import services
from mediaarchive.config import Settings
from mediaarchive.errors import MediaArchiveError

if TYPE_CHECKING:
    from mediaarchive.services.process import ProcessOutcome


#: Each command's module, imported only when the command runs (or help lists it), so
#: that ``mediaarchive --help`` and ``status`` do not pay for what other commands need.
COMMAND_MODULES = {
    "backup": "backup",
    "delete": "withdrawal",
    "demo": "demo",
    "edit": "curation",
    "events": "events",
    "export": "subtitles",
    "history": "curation",
    "import-subtitles": "subtitles",
    "ingest": "ingest",
    "models": "models",
    "pipelines": "process",
    "reindex": "search",
    "restore": "withdrawal",
    "restore-backup": "backup",
    "repair": "verify",
    "retry": "process",
    "review": "review",
    "run": "process",
    "search": "search",
    "sources": "status",
    "serve": "serve",
    "show": "status",
    "status": "status",
    "subtitles": "subtitles",
    "transcribe": "transcribe",
    "transcript": "transcript",
    "users": "users",
    "withdraw": "withdrawal",
    "verify": "verify",
    "worker": "worker",
}


class ArchiveGroup(click.Group):
    """A click group that loads its commands lazily and turns library errors into one line
    and exit code 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if cmd_name not in self.commands and module is not None:
            # The module registers its commands on ``main`` as it is imported.
            importlib.import_module(f"mediaarchive.cli.{module}")
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MediaArchiveError as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo("Interrupted: run 'mediaarchive run' to resume.", err=True)
            ctx.exit(130)


@click.group(cls=ArchiveGroup)
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    envvar="MEDIAARCHIVE_HOME",
    help="Archive home (database and store). [env: MEDIAARCHIVE_HOME]",
)
@click.option(
    "--db",
    envvar="MEDIAARCHIVE_DB",
    help="Database URL, overrides the home's SQLite file. [env: MEDIAARCHIVE_DB]",
)
@click.option(
    "--store",
    envvar="MEDIAARCHIVE_STORE",
    help="Archive store: folder or s3://bucket/prefix. [env: MEDIAARCHIVE_STORE]",
)
@click.option(
    "--broker",
    envvar="MEDIAARCHIVE_BROKER",
    help="Celery broker URL for distributed workers. [env: MEDIAARCHIVE_BROKER]",
)
@click.version_option(package_name="mediaarchive")
@click.pass_context
def main(
    ctx: click.Context, home: Path | None, db: str | None, store: str | None, broker: str | None
) -> None:
    """mediaarchive: archive, transcribe and search the media of public events."""
    settings = Settings.load(home=home, db=db, store=store, broker=broker)
    if ctx.invoked_subcommand is not None and not ctx.resilient_parsing:
        # Bounded disk: partial files of processes that are gone (killed downloads).
        services.housekeeping.remove_stale_temp(settings)
    archive = services.Archive(settings)  # opens nothing until a command uses it
    ctx.obj = archive
    ctx.call_on_close(archive.close)
    if os.environ.get("MEDIAARCHIVE_PROFILE") and ctx.invoked_subcommand is not None:
        start_profile(ctx, Path(os.environ["MEDIAARCHIVE_PROFILE"]))


def start_profile(ctx: click.Context, path: Path) -> None:
    """Profile the rest of this command; the file is written when it ends (even on error)."""
    services.process.start_profile()
    ctx.find_root().call_on_close(lambda: services.process.write_profile(path))


class JobsParam(click.ParamType):
    """``--jobs N`` or ``--jobs auto`` (0: chosen from the number of assets)."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        if str(value).strip().lower() == "auto":
            return 0
        try:
            number = int(value)
        except ValueError:
            number = 0
        if number < 1:
            self.fail(f"{value!r} is not a number of jobs (1 or more) or 'auto'", param, ctx)
        return number


JOBS = JobsParam()
#: Help text of every ``--jobs`` option.
JOBS_HELP = (
    "Assets processed side by side (N: jobs x threads <= cores); 'auto': several single-"
    "threaded jobs per core for several assets (their model calls are batched together), "
    "one job with every core for a single one."
)


#: Passes the command the ``services.Archive`` that ``main`` made.
pass_archive = click.pass_obj


def emit_json(document: Any) -> None:
    """Print the one JSON document of a ``--json`` command to stdout."""
    click.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))


#: Line breaks and other control characters (C0, DEL, C1, Unicode line separators).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: object) -> str:
    """``text`` made safe for one line of output: a title or file name holding a newline
    (or a terminal escape) is shown escaped (``\\n``) instead of forging another line."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1] if m.group() != "\t" else " ", str(text))


def report_error(message: str) -> None:
    """One error line on stderr (for a failed asset in a batch that goes on)."""
    click.echo(f"Error: {one_line(message)}", err=True)


def fail_if(failed: bool) -> None:
    """Exit 1 after a batch in which some asset failed (errors were already printed)."""
    if failed:
        sys.exit(1)


def report_sent(outcome: ProcessOutcome) -> None:
    """With a broker, say that the work went to the workers (``run``, ``retry``, ``ingest``)."""
    if outcome.broker:
        click.echo(
            f"{outcome.sent} asset(s) queued for the workers at {outcome.broker}; "
            "see 'mediaarchive status'.",
            err=True,
        )
