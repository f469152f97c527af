"""Distributed processing: the pipeline's steps as Celery tasks on any number of workers.

``app`` is the Celery application (``celery -A mediaarchive.worker worker``, or
``mediaarchive worker``, which starts it by that path); ``tasks.run_step`` runs one job
through the same ``pipeline.run_job`` as the in-process runner. Putting assets on the
queues and reading queue lengths is ``services.dispatch``, which sends the task by name.
The job table stays the truth: a task only names a job id.
"""

from mediaarchive.worker.app import app, configure

__all__ = ["app", "configure"]
