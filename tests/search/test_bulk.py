"""A rebuild's texts analysed by a worker process: the same columns, in the same order."""

from __future__ import annotations

import logging

import pytest

from mediaarchive.search.bulk import analyse_texts, analysed_batches

TEXTS = [
    ("Heute eröffnen wir das Straßenfest in der Nordstadt.", "de"),
    ("Sie brauchen einen Anwohnerparkausweis vom Bürgeramt.", "de"),
    ("Die Innovationseinheiten der Ministerien arbeiten zusammen.", None),
    ("The runners were running through the old parks.", "en"),
    ("Während der COVID-19-Pandemie war alles online.", "de-DE"),
    ("OFFENE MESSDATEN\nLuftqualität Nordstadt", ""),
    ("Les coureurs couraient dans les parcs.", "fr"),
]


def batches(count: int) -> list[list[tuple[int, str, str | None]]]:
    rows = [(n, *TEXTS[n % len(TEXTS)]) for n in range(count)]
    return [rows[start : start + 7] for start in range(0, count, 7)]


def text_of(row: tuple[int, str, str | None]) -> tuple[str, str | None]:
    return row[1], row[2]


@pytest.mark.parametrize("parallel_after", [0, 70, 10_000])
def test_worker_analyses_like_this_process(
    parallel_after: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mediaarchive.search.bulk")
    given = batches(210)
    out = list(analysed_batches(iter(given), text_of, parallel_after=parallel_after, patient=True))
    assert [batch for batch, _ in out] == given  # every batch, in order
    for batch, columns in out:
        assert columns == analyse_texts([row[1] for row in batch], [row[2] for row in batch])
    assert "fest" in out[0][1][0][2].split()  # Straßenfest's part, from either process
    started = "index worker started" in caplog.text
    assert started == (parallel_after < 210)


def test_few_texts_start_no_worker(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mediaarchive.search.bulk")
    out = list(analysed_batches(iter(batches(21)), text_of))
    assert len(out) == 3
    assert "index worker started" not in caplog.text


def test_a_worker_that_dies_mid_rebuild_loses_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The worker process is killed (SIGKILL, as the OOM killer would) after the first batch
    # came back: the batches it had been sent are analysed here, every batch comes out once,
    # in order, with the columns this process gives, and the log says what happened.
    from mediaarchive.search import bulk

    started: list[bulk._Worker] = []
    start = bulk._start_worker

    def keep(*args, **kwargs):  # type: ignore[no-untyped-def]
        worker = start(*args, **kwargs)
        started.append(worker)
        return worker

    monkeypatch.setattr(bulk, "_start_worker", keep)
    caplog.set_level(logging.DEBUG, logger="mediaarchive.search.bulk")
    given = batches(210)
    out = []
    for item in analysed_batches(iter(given), text_of, parallel_after=0, patient=True):
        out.append(item)
        if len(out) == 1:
            started[0].process.kill()
            started[0].process.wait()
    assert len(started) == 1 and started[0].process.returncode == -9
    assert [batch for batch, _ in out] == given
    for batch, columns in out:
        assert columns == analyse_texts([row[1] for row in batch], [row[2] for row in batch])
    assert "analysing the rest here" in caplog.text
