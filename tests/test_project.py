"""The project's own promises: every command has help, the schema migrates cleanly."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from sqlalchemy import inspect

from mediaarchive.cli import main


def test_every_command_has_help_text() -> None:
    context = click.Context(main)
    names = main.list_commands(context)
    assert {"ingest", "status", "search", "subtitles", "serve", "worker", "demo"} <= set(names)
    for name in names:
        command = main.get_command(context, name)
        assert command is not None, f"command {name} is listed but does not load"
        assert command.help or command.short_help, f"command {name} has no help text"


HEAVY = (
    "numpy",
    "faster_whisper",
    "ctranslate2",
    "boto3",
    "celery",
    "fastapi",
    "psycopg",
    "sqlalchemy",
    "alembic",
)


@pytest.mark.parametrize(
    "code",
    [
        "import mediaarchive.cli",
        # --help lists every command, so every command module is imported: each must be light.
        "from mediaarchive.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    ],
)
def test_start_up_imports_nothing_heavy(code: str) -> None:
    """`mediaarchive --help` and the CLI's import load no model, cloud, web or database
    library: each command imports what it needs when it runs."""
    probe = code + "\nimport sys\nprint(sorted(m for m in sys.modules if m.split('.')[0] in "
    probe += repr(HEAVY) + "))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout


def test_fresh_home_gets_all_tables(archive) -> None:  # type: ignore[no-untyped-def]
    tables = set(inspect(archive.db.engine).get_table_names())
    assert {"assets", "events", "jobs", "renditions", "transcripts", "segments"} <= tables


def test_unknown_command_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("no-such-command")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "Error: No such command 'no-such-command'."
    assert "--help" in result.stderr
