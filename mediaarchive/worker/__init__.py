"""Distributed processing: the pipeline's steps as Celery tasks on any number of workers.

``app`` is the Celery application (``celery -A mediaarchive.worker worker`` or
``mediaarchive worker``), ``tasks.run_step`` runs one job through the same
``pipeline.runner.run_job`` as the in-process runner, ``dispatch`` puts assets on the queues
and reports queue lengths. The job table stays the truth: a task only names a job id.
"""

from mediaarchive.worker.app import app, configure

__all__ = ["app", "configure"]
