"""Running the web app with uvicorn in a thread (demo, tests); ``serve`` runs it in the
foreground through ``services.serving``, which also binds the socket."""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn

from mediaarchive.services import Archive
from mediaarchive.services.serving import bind, host_policy, page_url, server_options
from mediaarchive.web.app import create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _server(archive: Archive, host: str, *, log_level: str) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(archive, hosts=host_policy(archive.settings, host)),
        log_level=log_level,
        **server_options(archive.settings),
    )
    return uvicorn.Server(config)


class BackgroundServer:
    """The web app served by uvicorn in a thread, for as long as the ``with`` block lasts.

    ``port=0`` picks a free port; ``url`` says where it listens.
    """

    def __init__(
        self,
        archive: Archive,
        host: str = DEFAULT_HOST,
        port: int = 0,
        *,
        log_level: str = "warning",
    ) -> None:
        self.sock = bind(host, port)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self.server = _server(archive, host, log_level=log_level)
        self.thread = threading.Thread(
            target=self.server.run,
            kwargs={"sockets": [self.sock]},
            daemon=True,
            name=f"web:{self.port}",
        )

    @property
    def url(self) -> str:
        return page_url(self.host, self.port)

    def __enter__(self) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the web server on {self.url} did not start")
            time.sleep(0.02)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()

    def wait(self) -> None:
        """Block until the server stops or Ctrl-C."""
        while self.thread.is_alive():
            self.thread.join(timeout=0.5)
