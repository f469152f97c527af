"""Pipeline steps. Importing this package registers every step in ``STEPS``."""

from mediaarchive.steps.base import STEPS, SkipStep, StepContext, StepSpec, step  # noqa: I001

# Each step module registers its step when imported (one line each).
from mediaarchive.steps import probe  # noqa: E402,F401
from mediaarchive.steps import transcode  # noqa: E402,F401
from mediaarchive.steps import thumbnail  # noqa: E402,F401
from mediaarchive.steps import transcribe  # noqa: E402,F401
from mediaarchive.steps import subtitles  # noqa: E402,F401
from mediaarchive.steps import ocr  # noqa: E402,F401
from mediaarchive.steps import slides  # noqa: E402,F401
from mediaarchive.steps import index  # noqa: E402,F401

__all__ = ["STEPS", "SkipStep", "StepContext", "StepSpec", "step"]
