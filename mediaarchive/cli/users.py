"""Command: users (accounts of the web page: add, list, passwd, disable, token)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from mediaarchive import services
from mediaarchive.cli.base import emit_json, main, pass_archive

if TYPE_CHECKING:
    from mediaarchive.services import Archive

ROLES = ("viewer", "editor", "admin")


def _password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or asked twice on a terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise click.UsageError("no terminal to ask for a password: give --password-stdin")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@main.group()
def users() -> None:
    """Accounts of the web page. Roles: viewer (sees internal assets), editor (edits,
    reviews, withdraws), admin (users, delete). There is no default account.

    Example: mediaarchive users add anna --role editor
    """


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@pass_archive
def add(archive: Archive, name: str, role: str, password_stdin: bool) -> None:
    """Make an account NAME with a role; asks for its password."""
    account = services.accounts.add_user(archive, name, role, _password(password_stdin))
    click.echo(f"user {account.name} added ({account.role})", err=True)


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_archive
def list_(archive: Archive, as_json: bool) -> None:
    """List the accounts: name, role, disabled, whether it has an API token."""
    accounts = services.accounts.list_users(archive)
    if as_json:
        emit_json([a.to_json() for a in accounts])
        return
    for a in accounts:
        flags = (" disabled" if a.disabled else "") + (" token" if a.has_token else "")
        click.echo(f"{a.name:<20} {a.role:<7}{flags}")
    click.echo(f"{len(accounts)} user(s)", err=True)


@users.command()
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@pass_archive
def passwd(archive: Archive, name: str, password_stdin: bool) -> None:
    """Set NAME's password; the user's open log-ins end."""
    services.accounts.set_password(archive, name, _password(password_stdin))
    click.echo(f"password of {name} changed; its log-ins ended", err=True)


@users.command()
@click.argument("name")
@pass_archive
def disable(archive: Archive, name: str) -> None:
    """Disable NAME: its log-ins end now and its API token stops working."""
    services.accounts.disable_user(archive, name)
    click.echo(f"user {name} disabled; its log-ins ended", err=True)


@users.command()
@click.argument("name")
@pass_archive
def token(archive: Archive, name: str) -> None:
    """Make a new API token for NAME (the old one stops working). Send it as
    'Authorization: Bearer TOKEN'."""
    value = services.accounts.issue_token(archive, name)
    click.echo(f"API token of {name} (shown once): {value}")
