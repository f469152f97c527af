"""Pipeline steps. Importing this package registers every step in ``STEPS``."""

from mediaarchive.steps.base import STEPS, StepContext, StepSpec, step

__all__ = ["STEPS", "StepContext", "StepSpec", "step"]
import mediaarchive.steps.ocr  # noqa: E402,F401
import mediaarchive.steps.slides  # noqa: E402,F401
