"""Who is looking: the one rule for what a reader may see of the archive.

* ``all``: the command line and workers — everything, withdrawn assets included where a
  command asks for them (``status --all``).
* ``accounts``: a logged-in account of any role, or the single user of a server on a
  loopback address when no account exists — everything except withdrawn assets.
* ``public``: anonymous visitors once accounts exist (or ``serve --public-only``) — only
  public assets and events that are not withdrawn.

The web sets the audience for each request (``reading_as``); the views ask ``visible``
and ``asset_clause``. A hidden asset reads as unknown (404), so its existence is not told.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mediaarchive.db import Asset, Event

__all__ = [
    "ACCOUNTS",
    "ALL",
    "PUBLIC",
    "VISIBILITIES",
    "asset_clause",
    "asset_condition",
    "current",
    "event_clause",
    "reading_as",
    "visible",
    "visible_event",
]

ALL = "all"
ACCOUNTS = "accounts"
PUBLIC = "public"
VISIBILITIES = ("internal", "public")

_AUDIENCE: ContextVar[str] = ContextVar("mediaarchive_audience", default=ALL)


def current() -> str:
    return _AUDIENCE.get()


@contextmanager
def reading_as(audience: str) -> Iterator[None]:
    """Read as ``audience`` within this block (and the threads it hands work to)."""
    token = _AUDIENCE.set(audience)
    try:
        yield
    finally:
        _AUDIENCE.reset(token)


def visible(asset: Asset, *, withdrawn: bool = False) -> bool:
    """True when the current audience may see ``asset`` (``withdrawn``: the command line
    asked for withdrawn assets too)."""
    audience = current()
    if asset.withdrawn_at is not None:
        return audience == ALL and withdrawn
    return audience != PUBLIC or asset.visibility == "public"


def asset_clause(*, withdrawn: bool = False) -> Any:
    """The SQL condition of ``visible`` (None: no restriction), for ORM queries."""
    from mediaarchive.db import Asset  # the ORM: not loaded for plain readers (``status``)

    audience = current()
    if audience == ALL and withdrawn:
        return None
    clause = Asset.withdrawn_at.is_(None)
    if audience == PUBLIC:
        clause = clause & (Asset.visibility == "public")
    return clause


def asset_condition(table: str, *, withdrawn: bool = False) -> str | None:
    """``asset_clause`` as SQL text on the assets table named ``table`` (plain readers)."""
    audience = current()
    if audience == ALL and withdrawn:
        return None
    condition = f"{table}.withdrawn_at IS NULL"
    if audience == PUBLIC:
        condition += f" AND {table}.visibility = 'public'"
    return condition


def visible_event(event: Event) -> bool:
    return current() != PUBLIC or event.visibility == "public"


def event_clause() -> Any:
    from mediaarchive.db import Event

    return Event.visibility == "public" if current() == PUBLIC else None
