"""Short database writes tried again while another writer holds the lock."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from mediaarchive.db import retry_while_busy
from mediaarchive.errors import DatabaseBusyError


def _error(text: str) -> OperationalError:
    return OperationalError("INSERT INTO assets", {}, Exception(text))


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr("time.sleep", waits.append)
    return waits


def test_a_locked_database_is_tried_again_with_longer_waits(no_waiting: list[float]) -> None:
    tries: list[int] = []

    def write() -> str:
        tries.append(1)
        if len(tries) < 3:
            raise _error("database is locked")
        return "recorded"

    assert retry_while_busy(write, what="cannot record", then="try again") == "recorded"
    assert len(tries) == 3 and no_waiting == pytest.approx([0.05, 0.1])


def test_giving_up_is_a_typed_error_saying_what_to_do() -> None:
    def write() -> None:
        raise _error("database is locked")

    with pytest.raises(DatabaseBusyError) as caught:
        retry_while_busy(
            write, what="cannot record the asset", then="run the ingest again", attempts=3
        )
    assert str(caught.value) == (
        "cannot record the asset: the database stayed busy through 3 "
        "tries (database is locked); run the ingest again"
    )
    assert caught.value.transient


def test_other_database_errors_are_not_retried() -> None:
    tries: list[int] = []

    def write() -> None:
        tries.append(1)
        raise _error("no such table: assets")

    with pytest.raises(OperationalError, match="no such table"):
        retry_while_busy(write, what="cannot record", then="try again")
    assert len(tries) == 1
