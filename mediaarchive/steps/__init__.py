"""Pipeline steps. Importing this package registers every step in ``STEPS``."""

from mediaarchive.steps.base import STEPS, StepContext, StepSpec, step

# Each step module registers its step when imported (one line each).
from mediaarchive.steps import index  # noqa: F401,E402

__all__ = ["STEPS", "StepContext", "StepSpec", "step"]
