"""The worker command's user errors, and which queue each step goes to (no services)."""

from __future__ import annotations

from mediaarchive.services.dispatch import queue_for
from mediaarchive.steps import STEPS


def test_worker_without_a_broker_says_how_to_give_one(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("worker")
    assert result.exit_code == 1
    assert "needs a broker" in result.stderr and "--broker redis://" in result.stderr


def test_worker_with_an_unknown_queue_names_the_known_ones(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--broker", "redis://127.0.0.1:9/0", "worker", "--queues", "gpu")
    assert result.exit_code == 1
    assert "unknown queue(s) gpu" in result.stderr and "default, asr" in result.stderr


def test_each_step_goes_to_the_queue_it_declares() -> None:
    # Transcription declares "asr" (so it can get its own machines); the rest "default".
    for name, spec in STEPS.items():
        assert queue_for(name) == spec.queue
        assert spec.queue == ("asr" if name == "transcribe" else "default")
    assert queue_for("fetch") == "default"  # recorded at ingest, never sent
