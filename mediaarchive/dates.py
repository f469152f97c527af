"""The archive's one date form: an ISO date or a prefix of one (``2024``, ``2024-05``,
``2024-05-01``), also with a time (``2024-05-01T10:00``). Checked as a real calendar date,
so ``2024-13`` or ``not-a-date`` is refused where it comes in, not stored silently."""

from __future__ import annotations

import re
from datetime import date, datetime

__all__ = ["is_iso_date"]

_PREFIX = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def is_iso_date(text: str) -> bool:
    """True for ``YYYY``, ``YYYY-MM`` (month 01-12), a real ``YYYY-MM-DD``, or one with a
    time; False for anything else."""
    text = text.strip()
    found = _PREFIX.match(text)
    if found:
        return found.group(2) is None or 1 <= int(found.group(2)) <= 12
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        if len(text) == 10:
            date.fromisoformat(text)
        else:
            datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
