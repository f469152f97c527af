"""The ``mediaarchive`` command line: thin commands over the library.

Global options go before the command. Library errors become one ``Error: …`` line on
stderr and exit code 1; usage errors exit 2. With ``--json`` stdout holds exactly one JSON
document.
"""

from __future__ import annotations  # noqa: I001

from mediaarchive.cli.base import main

# Each command module registers its commands on ``main`` when imported (one line each).
from mediaarchive.cli import ingest  # noqa: F401,E402
from mediaarchive.cli import status  # noqa: F401,E402
from mediaarchive.cli import verify  # noqa: F401,E402
from mediaarchive.cli import demo  # noqa: F401,E402
from mediaarchive.cli import process  # noqa: F401,E402
from mediaarchive.cli import worker  # noqa: F401,E402
from mediaarchive.cli import models  # noqa: F401,E402
from mediaarchive.cli import transcribe  # noqa: F401,E402
from mediaarchive.cli import subtitles  # noqa: F401,E402
from mediaarchive.cli import search  # noqa: F401,E402
from mediaarchive.cli import serve  # noqa: F401,E402

__all__ = ["main"]
