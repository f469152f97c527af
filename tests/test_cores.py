"""The core budget: what computes at once stays within the cores, whatever the jobs."""

from __future__ import annotations

import threading
import time

from mediaarchive.cores import CoreBudget


def test_holders_never_exceed_the_cores_and_a_big_hold_is_not_starved_forever() -> None:
    budget = CoreBudget()
    budget.configure(3)
    lock = threading.Lock()
    busy, peak = [0], [0]

    def work(threads: int) -> None:
        for _ in range(5):
            with budget.hold(threads):
                with lock:
                    busy[0] += min(threads, 3)
                    peak[0] = max(peak[0], busy[0])
                time.sleep(0.002)
                with lock:
                    busy[0] -= min(threads, 3)

    # A hold of 5 threads on 3 cores takes all 3 (and does not wait forever).
    threads = [threading.Thread(target=work, args=(n,)) for n in (1, 1, 2, 2, 1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)
    assert peak[0] == 3 and budget.used == 0


def test_no_budget_until_configured() -> None:
    budget = CoreBudget()
    inside = threading.Barrier(4, timeout=5)

    def work() -> None:
        with budget.hold(2):
            inside.wait()  # all four hold at once: nothing limits them yet

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not inside.broken
