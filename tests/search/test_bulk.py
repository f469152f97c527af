"""A rebuild's FTS5 rows made by a worker process that reads the segments itself: the same
index as one made in this process, and as the one the "index" step writes asset by asset."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mediaarchive.archive import find_asset
from mediaarchive.db import Segment, Transcript
from mediaarchive.search import backend_for, bulk, fts5_bulk, index_asset, search
from mediaarchive.search.documents import asset_facts
from tests.fixtures.search import SearchArchive, build_search_archive
from tests.helpers import write_elsewhere

pytestmark = pytest.mark.usefixtures("small_batches")


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A worker for any rebuild, rows in batches of 2 and ``search_docs`` in chunks of 3
    segment ids, so a rebuild of the fixture archive takes many of each."""
    monkeypatch.setattr(bulk, "PARALLEL_AFTER", 0)
    monkeypatch.setattr(bulk, "BATCH", 2)
    monkeypatch.setattr(fts5_bulk, "DOCS_CHUNK", 3)
    caplog.set_level(logging.DEBUG, logger="mediaarchive.search.bulk")


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[SearchArchive]:
    built = build_search_archive(tmp_path / "home")
    with built.archive.session() as session:
        # One public asset: its words are counted into the public vocabulary.
        keynote = find_asset(session, built.ids["keynote"])
        keynote.visibility = "public"
        index_asset(session, keynote)
        session.commit()
    yield built
    built.archive.close()


def _index(sa: SearchArchive) -> dict[str, str]:
    """Digests of what the index holds: every token at its position, every document row,
    the vocabulary with its counts."""
    tables = {
        "tokens": "SELECT term, doc, col, offset FROM temp.tokens ORDER BY 1, 2, 3, 4",
        "documents": "SELECT * FROM search_docs ORDER BY rowid",
        "vocabulary": "SELECT * FROM search_vocabulary ORDER BY 1",
    }
    with sa.archive.session() as session:
        db = session.connection().connection.driver_connection
        db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.tokens"
            " USING fts5vocab(main, search_fts, 'instance')"
        )
        digests = {}
        for name, sql in tables.items():
            rows = db.execute(sql).fetchall()
            assert rows, f"no {name}"
            digests[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return digests


def _rebuild(sa: SearchArchive, *, parallel: bool) -> int:
    with sa.archive.session() as session:
        count = backend_for(session).rebuild(parallel=parallel)
        session.commit()
        return count


def test_a_rebuild_by_a_worker_is_the_index_written_asset_by_asset(
    archive: SearchArchive, caplog: pytest.LogCaptureFixture
) -> None:
    written = _index(archive)  # by the fixture, through index_asset
    count = _rebuild(archive, parallel=False)
    assert "index worker started" not in caplog.text
    here = _index(archive)
    assert here["tokens"] == written["tokens"] and here["documents"] == written["documents"]
    assert _rebuild(archive, parallel=True) == count
    assert "index worker started" in caplog.text
    assert _index(archive) == here
    with archive.archive.session() as session:
        hits = search(session, "Lebenszyklen")
        assert archive.role(hits[0].asset_id) == "keynote"


def _rows_and_counts(sa: SearchArchive, *, parallel: bool, kill_after: int | None = None):  # type: ignore[no-untyped-def]
    started: list[bulk._Worker] = []
    start = bulk._start_worker

    def keep(*args, **kwargs):  # type: ignore[no-untyped-def]
        worker = start(*args, **kwargs)
        started.append(worker)
        return worker

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk, "_start_worker", keep)
        with sa.archive.session() as session:
            db = session.connection().connection.driver_connection
            rows = fts5_bulk.speech_rows(session, db, asset_facts(session))
            public: Counter[str] = Counter()
            out = []
            for batch in bulk.fts_batches(rows, db, public, parallel=parallel):
                out.append(batch)
                if len(out) == kill_after:
                    # As the OOM killer would: SIGKILL, mid-rebuild.
                    started[0].process.kill()
                    started[0].process.wait()
    return out, public, started


def _add_speech(session: Session, sa: SearchArchive, texts: list[str]) -> None:
    """Segments added to the keynote's current transcript (not indexed)."""
    keynote = find_asset(session, sa.ids["keynote"])
    transcript = session.scalar(
        select(Transcript).where(Transcript.asset_id == keynote.id, Transcript.current)
    )
    assert transcript is not None
    session.add_all(
        Segment(transcript_id=transcript.id, start=100.0 + n, end=101.0 + n, text=text)
        for n, text in enumerate(texts)
    )
    session.flush()


def test_a_worker_killed_mid_rebuild_loses_nothing(
    archive: SearchArchive, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many more rows than the pipe holds (at its default size): the worker is still at
    # work when it is killed.
    monkeypatch.setattr(bulk, "PIPE_BYTES", 64 << 10)
    with archive.archive.session() as session:
        questions = [
            f"Frage {n}: Wie lange lebt ein Innovationslabor in Stadt {n}?" for n in range(3000)
        ]
        _add_speech(session, archive, questions)
        session.commit()
    here, public_here, _ = _rows_and_counts(archive, parallel=False)
    assert len(here) > 1500 and public_here["lebenszyklen"] == 1
    out, public, started = _rows_and_counts(archive, parallel=True, kill_after=2)
    assert len(started) == 1 and started[0].process.returncode == -9
    # Every row once, in order, as this process makes them; the words counted once.
    assert out == here
    assert public == public_here
    assert "making the rest of the index rows here" in caplog.text


def test_a_rebuild_after_unsaved_changes_indexes_them(
    archive: SearchArchive, caplog: pytest.LogCaptureFixture
) -> None:
    # A worker would read only what is committed: a rebuild inside a transaction that has
    # written makes the rows here, and the new segment is found.
    with archive.archive.session() as session:
        _add_speech(session, archive, ["Zum Schluss ein Wort zur Quokkaforschung."])
        backend_for(session).rebuild(parallel=True)
        hits = search(session, "Quokkaforschung")
        assert [archive.role(hit.asset_id) for hit in hits] == ["keynote"]
    assert "index worker started" not in caplog.text


def test_an_asset_another_job_records_during_a_rebuild_waits_for_it(
    archive: SearchArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--jobs auto`` runs several jobs; the first index step of a new archive rebuilds the
    index while other jobs record assets. The moment is forced here (``asset_facts`` lets
    another job try right after reading; a real batch met it by chance, 1 run in 3): the
    other job's write waits for the rebuild. Read before the rebuild wrote, the facts missed
    that asset and the step failed ("internal error in the step (KeyError: 6)")."""
    from mediaarchive.search import sqlite as sqlite_backend

    read_facts = sqlite_backend.asset_facts
    path = archive.archive.settings.home / "archive.db"
    tried: list[str] = []

    def facts_then_another_job(session: Session):  # type: ignore[no-untyped-def]
        facts = read_facts(session)
        with closing(sqlite3.connect(path)) as reader:
            reader.row_factory = sqlite3.Row
            row = dict(reader.execute("SELECT * FROM assets ORDER BY id LIMIT 1").fetchone())
        row.update(id=None, sha256="f" * 64, filename="neu.wav")
        insert = f"INSERT INTO assets ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
        tried.append(write_elsewhere(path, insert, list(row.values())))
        return facts

    monkeypatch.setattr(sqlite_backend, "asset_facts", facts_then_another_job)
    with archive.archive.session() as session:
        backend_for(session).rebuild(parallel=False)
        session.commit()
    assert tried == ["database is locked"]
