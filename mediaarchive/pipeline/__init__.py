"""Running the steps of a pipeline definition: jobs, their state, retries and resuming.

``run_job`` runs one step of one asset (the local runner and the Celery tasks both call
it); ``pending_assets`` is the one rule for which assets have work to do; ``run_queued``
and ``LocalRunner`` process them in this process. Names load on first use, so importing the
package does not register every step.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "FINISHED": "jobs",
    "queue_asset": "jobs",
    "run_job": "jobs",
    "retry": "jobs",
    "overall_state": "jobs",
    "local_worker": "jobs",
    "Pending": "pending",
    "pending_assets": "pending",
    "LocalRunner": "runner",
    "RunResult": "runner",
    "run_queued": "runner",
    "thread_budget": "runner",
    "JobSnapshot": "recovery",
    "job_snapshot": "recovery",
    "recover_interrupted": "recovery",
    "take_over": "recovery",
    "Pipeline": "definitions",
    "find_pipeline": "definitions",
    "list_pipelines": "definitions",
    "load_pipeline": "definitions",
    "NullReporter": "progress",
    "Reporter": "progress",
    "make_reporter": "progress",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
