"""The ``mediaarchive`` command line: thin commands over the library.

Global options go before the command. Library errors become one ``Error: …`` line on
stderr and exit code 1; usage errors exit 2. With ``--json`` stdout holds exactly one JSON
document. Command modules load when their command runs (``base.COMMAND_MODULES``).
"""

from __future__ import annotations

from mediaarchive.cli.base import main
from mediaarchive.cli.program import run

__all__ = ["main", "run"]
