"""Lazy public faces: a package lists its public names and the submodule each lives in, and
a name's submodule is imported on first use. So ``from mediaarchive.asr import Transcriber``
works, while ``import mediaarchive.asr`` stays cheap (no numpy or faster_whisper until a
name that needs them is used)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_face"]


def lazy_face(
    package: str, names: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, whose name ``N`` lives in ``names[N]``.

    Example::

        __all__ = ["Transcriber"]
        __getattr__, __dir__ = lazy_face(__name__, {"Transcriber": "transcriber"})
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__
