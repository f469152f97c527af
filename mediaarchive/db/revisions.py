"""Which migration is the newest, read without loading Alembic or SQLAlchemy."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

__all__ = ["MIGRATIONS", "head_revisions"]

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w.-]+|None)['\"]?", re.M)


@cache
def head_revisions() -> frozenset[str]:
    """The newest migration(s): revisions no other migration builds on. Read from the
    migration files' text, so that an up-to-date database is recognised without loading
    Alembic (a third of a second of start-up for every command)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision", "None"))
    return frozenset(revisions - parents)
