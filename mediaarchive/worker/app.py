"""The Celery application, configured from the archive's settings.

``celery -A mediaarchive.worker worker`` (or ``mediaarchive worker``, which starts it by that
path) configures it from the ``MEDIAARCHIVE_*`` variables. Its configuration (queues,
serializer, the reliability settings and why) is declared once in
``services.dispatch.celery_config``, which the client that sends the tasks uses too.
"""

from __future__ import annotations

from celery import Celery

from mediaarchive.config import Settings
from mediaarchive.services.dispatch import QUEUES, celery_config

__all__ = ["QUEUES", "app", "configure", "current_settings"]

app = Celery("mediaarchive", include=["mediaarchive.worker.tasks"])

_settings: Settings | None = None


def configure(settings: Settings) -> Celery:
    """Point the app at the settings' broker; tasks in this process use these settings."""
    global _settings
    _settings = settings
    app.conf.update(celery_config(settings))
    return app


def current_settings() -> Settings:
    """The settings this process was configured with (else from the environment)."""
    global _settings
    if _settings is None:
        configure(Settings.load())
    assert _settings is not None
    return _settings


# ``celery -A mediaarchive.worker worker`` configures from MEDIAARCHIVE_* variables.
configure(Settings.load())
