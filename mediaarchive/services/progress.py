"""How a long use case (a transcription, a run of the pipeline) shows its progress: a bar per
running step on a terminal, plain lines otherwise, on stderr. The edges make one and pass it
to the use case; the display itself is the pipeline's (``pipeline.progress``)."""

from __future__ import annotations

from mediaarchive.pipeline.progress import NullReporter, Reporter, make_reporter

__all__ = ["NullReporter", "Reporter", "make_reporter"]
