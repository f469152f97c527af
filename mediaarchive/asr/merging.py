"""The model calls of several jobs, merged into batches: a batch of short clips keeps both
cores busy and each decoder step serves several clips.

``--jobs auto`` runs a batch of recordings as several job threads sharing the process's one
loaded model (``pipeline.runner.auto_budget``). Each job decodes its own recording: an encoder
pass, then a beam search (``generate``) per 30 s, one item at a time. On the CPU such a call
for one item leaves most of the machine unused: the bundled model's decoder step for 5 beams
is too small to keep two threads busy (a plain loop over 24 clips kept 1.1 of 2 cores busy,
81 of its 84 s inside CTranslate2 calls). ``MergedModel`` stands in for the CTranslate2
model: calls of ``encode`` and ``generate`` that job threads make at about the same time,
with the same options, go to CTranslate2 as one batch, on one of its workers (one per core,
one thread each), and each job gets its own items back. CTranslate2 decodes each item of a
batch as it would alone: measured on the 24 clips of ``benchmarks/pipeline.py``, the same
words for every clip, in 38.5 s against 83.9 s one after the other with two threads.

A call waits at most ``WAIT`` seconds for others to join it, and only when other jobs use
the model (``user``): a single job's calls go straight through, as before.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mediaarchive.cores import CORES

__all__ = ["LARGEST", "WAIT", "MergedModel"]

#: Longest a call waits for calls of other jobs to join it (seconds). A decoder call takes
#: 0.3-2 s, the Python work of a job between two calls a few milliseconds.
WAIT = 0.05
#: Most items in one merged call (the encoder's input is 1 MB, its output 3 MB per item).
LARGEST = 16


@dataclass(eq=False)
class _Call:
    method: str
    key: tuple[Any, ...]
    features: Any
    array: np.ndarray
    prompts: list[list[int]] | None
    options: dict[str, Any]
    since: float
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


def _options_key(options: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name, repr(value)) for name, value in options.items()))


class MergedModel:
    """A CTranslate2 Whisper model whose ``encode`` and ``generate`` calls from several job
    threads are merged into batches, ``workers`` batches at a time, each holding the
    ``threads`` of its worker (``cores``). Everything else is the model's own."""

    def __init__(
        self,
        model: Any,
        workers: int,
        *,
        threads: int = 1,
        wait: float = WAIT,
        largest: int = LARGEST,
    ) -> None:
        self._model = model
        self._workers = max(1, workers)
        self._threads = threads
        self._wait = wait
        self._largest = largest
        self._lock = threading.Condition()
        self._pending: list[_Call] = []
        self._users = 0
        self._dispatchers: list[threading.Thread] = []
        self._idle = 0
        #: Per method: batches the dispatchers ran (``calls``) and the jobs' calls they held
        #: (``items``) — what a test can observe.
        self.calls: Counter[str] = Counter()
        self.items: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    @contextmanager
    def user(self) -> Iterator[None]:
        """While a job decodes: how many jobs use the model decides how many calls a batch
        waits for (one job: none)."""
        with self._lock:
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                self._lock.notify_all()

    def encode(self, features: Any, to_cpu: bool = False) -> Any:
        return self._call("encode", features, None, {"to_cpu": to_cpu})

    def generate(self, features: Any, prompts: list[list[int]], **options: Any) -> Any:
        return self._call("generate", features, prompts, options)

    # --- merging ---------------------------------------------------------------------------

    def _call(
        self, method: str, features: Any, prompts: list[list[int]] | None, options: dict
    ) -> Any:
        with self._lock:
            alone = self._users <= 1 and not self._pending
        if alone:
            return self._direct(method, features, prompts, options)
        array = np.asarray(features)
        key = (
            method,
            array.shape[1:],
            str(array.dtype),
            # Prompts of one length only: CTranslate2 pads a batch's prompts otherwise.
            len(prompts[0]) if prompts else 0,
            _options_key(options),
        )
        call = _Call(method, key, features, array, prompts, options, time.monotonic())
        with self._lock:
            self._pending.append(call)
            self._start_dispatchers()
            self._lock.notify_all()
        call.done.wait()
        if call.error is not None:
            raise call.error
        return call.result

    def _direct(
        self, method: str, features: Any, prompts: list[list[int]] | None, options: dict
    ) -> Any:
        with CORES.hold(self._threads):  # the worker's threads, for this call
            if method == "generate":
                return self._model.generate(features, prompts, **options)
            return self._model.encode(features, **options)

    def _start_dispatchers(self) -> None:
        while len(self._dispatchers) < self._workers:
            thread = threading.Thread(
                target=self._dispatch,
                name=f"mediaarchive-model-{len(self._dispatchers)}",
                daemon=True,
            )
            self._dispatchers.append(thread)
            thread.start()

    def _ready(self) -> float | None:
        """0 when a batch should go now; else how long to wait for more calls (None: no
        call pending). Called with the lock held."""
        if not self._pending:
            return None
        # Each worker takes an equal share of the jobs' calls.
        if len(self._pending) * self._workers >= self._users:
            return 0.0
        return max(0.0, self._pending[0].since + self._wait - time.monotonic())

    def _take(self) -> list[_Call]:
        """The oldest pending call and those that can join it. Called with the lock held."""
        key = self._pending[0].key
        group: list[_Call] = []
        items = 0
        same = sum(len(call.array) for call in self._pending if call.key == key)
        share = -(-same // max(1, self._idle))  # the idle workers share the calls out
        for call in self._pending:
            if call.key == key and (
                not group or items + len(call.array) <= min(share, self._largest)
            ):
                group.append(call)
                items += len(call.array)
        self._pending = [call for call in self._pending if call not in group]
        return group

    def _dispatch(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
                while (left := self._ready()) != 0.0:
                    self._lock.wait(timeout=left)
                group = self._take()
                self._idle -= 1
            try:
                self._run(group)
            except BaseException as exc:  # noqa: BLE001 - never leave a job waiting
                for call in group:
                    if not call.done.is_set():
                        call.error = exc
                        call.done.set()

    def _run(self, group: list[_Call]) -> None:
        first = group[0]
        self.calls[first.method] += 1
        self.items[first.method] += len(group)
        if len(group) == 1:
            self._run_alone(first)
            return
        import ctranslate2

        try:
            batch = ctranslate2.StorageView.from_array(
                np.ascontiguousarray(np.concatenate([call.array for call in group]))
            )
            prompts = [prompt for call in group for prompt in call.prompts or []]
            result = self._direct(first.method, batch, prompts, first.options)
        except Exception:  # noqa: BLE001 - each call again alone: its own result or error
            for call in group:
                self._run_alone(call)
            return
        if first.method == "encode":
            outputs = np.asarray(result)
        start = 0
        for call in group:
            end = start + len(call.array)
            if first.method == "encode":
                call.result = ctranslate2.StorageView.from_array(
                    np.ascontiguousarray(outputs[start:end])
                )
            else:
                call.result = result[start:end]
            start = end
            call.done.set()

    def _run_alone(self, call: _Call) -> None:
        try:
            call.result = self._direct(call.method, call.features, call.prompts, call.options)
        except BaseException as exc:  # noqa: BLE001 - raised in the job's own thread
            call.error = exc
        call.done.set()
