"""The project's own promises: every command has help, the schema migrates cleanly."""

from __future__ import annotations

import click
from sqlalchemy import inspect

from mediaarchive.cli import main


def test_every_command_has_help_text() -> None:
    for name, command in main.commands.items():
        assert command.help or command.short_help, f"command {name} has no help text"


def test_fresh_home_gets_all_tables(archive) -> None:  # type: ignore[no-untyped-def]
    tables = set(inspect(archive.db.engine).get_table_names())
    assert {"assets", "events", "jobs", "renditions", "transcripts", "segments"} <= tables


def test_unknown_command_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("no-such-command")
    assert result.exit_code == 2
    assert isinstance(main, click.Group)
