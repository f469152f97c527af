"""Serving the archive on the web: a listening socket, and uvicorn running the web app.

The web app is named by import path (``"package.module:factory"``, as uvicorn takes an app;
the factory is called with the ``Archive``), so the CLI starts it without importing the
web edge, and nothing below the edges imports it.
"""

from __future__ import annotations

import socket

from mediaarchive.archive import Archive
from mediaarchive.errors import UserError

__all__ = ["bind", "page_url", "serve_web"]


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free one).

    Raises:
        UserError: the address is taken or cannot be used.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UserError(
            f"cannot listen on {host}:{port} ({exc.strerror}): choose another with --port or --host"
        ) from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def page_url(host: str, port: int, path: str = "/") -> str:
    """The address to open in a browser for a server listening on host:port."""
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    return f"http://{shown}:{port}{path}"


def serve_web(archive: Archive, app: str, host: str, port: int, *, log_level: str = "info") -> None:
    """Serve the web app made by the factory ``app`` names until interrupted (Ctrl-C).

    Raises:
        UserError: the address is taken or cannot be used.
    """
    import uvicorn
    from uvicorn.importer import import_from_string

    sock = bind(host, port)
    try:
        factory = import_from_string(app)
        config = uvicorn.Config(
            factory(archive),
            log_level=log_level,
            access_log=False,
            lifespan="off",
            server_header=False,
            timeout_graceful_shutdown=3,
        )
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
