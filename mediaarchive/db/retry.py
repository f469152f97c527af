"""Short writes tried again while another process holds the database lock.

SQLite lets one writer in at a time: an ingest, a worker and the web page writing at once
make the others wait, and past the busy timeout one of them gets "database is locked".
A write that is one whole transaction can simply run again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import OperationalError
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_incrementing,
)

from mediaarchive.errors import DatabaseBusyError

T = TypeVar("T")


def is_locked(exc: BaseException) -> bool:
    """The database is locked by another writer (SQLite's "database is locked")."""
    return isinstance(exc, OperationalError) and "locked" in str(exc)


def retry_while_busy(
    write: Callable[[], T],
    *,
    what: str,
    then: str,
    attempts: int = 6,
    wait: float = 0.05,
    retry_on: Callable[[BaseException], bool] = is_locked,
) -> T:
    """Run ``write`` until it succeeds, waiting ``wait``, 2 × ``wait``… between tries.

    Args:
        write: one whole transaction (it opens and commits its own session), so each try
            starts afresh.
        what: what failed, for the error: "cannot record the asset".
        then: what the user can do about it: "run the ingest again".
        attempts: tries in all.
        wait: the first pause in seconds; each next one is longer by as much.
        retry_on: the failures worth another try (default: the database is locked).

    Raises:
        DatabaseBusyError: the last try failed too.
    """
    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_incrementing(start=wait, increment=wait),
        retry=retry_if_exception(retry_on),
    )
    try:
        return retrying(write)
    except RetryError as exc:
        last = exc.last_attempt.exception()
        reason = getattr(last, "orig", None) or last
        raise DatabaseBusyError(
            f"{what}: the database stayed busy through {attempts} tries ({reason}); {then}"
        ) from last
