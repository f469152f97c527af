"""Serving the archive on the web: a listening socket, and uvicorn running the web app.

The web app is named by import path (``"package.module:factory"``, as uvicorn takes an app;
the factory is called with the ``Archive``), so the CLI starts it without importing the
web edge, and nothing below the edges imports it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mediaarchive.archive import Archive
from mediaarchive.config import Settings
from mediaarchive.errors import UserError

__all__ = ["HostPolicy", "bind", "host_policy", "page_url", "serve_web", "server_options"]

#: Names every archive answers to: a browser on this machine.
LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
#: Addresses that listen on every interface: not a name a browser sends.
WILDCARDS = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class HostPolicy:
    """Which Host headers the web page answers to."""

    #: Allowed host names (IPv6 addresses in brackets), without ports.
    names: tuple[str, ...]
    #: True when any Host is accepted: '*' was allowed, or the server listens on every
    #: interface and no names were given (``serve`` says so when it starts).
    any_host: bool
    #: The server listens on a loopback address only (single-user mode is possible there).
    loopback: bool = True
    #: ``serve --public-only``: only public assets, no log-in at all.
    public_only: bool = False


def host_policy(
    settings: Settings,
    bound: str | None = None,
    extra: Iterable[str] = (),
    *,
    public_only: bool = False,
) -> HostPolicy:
    """The Host allow-list: localhost, the bound address, the ``allowed_hosts`` setting and
    ``extra`` (``serve --allowed-host``); whether the address is a loopback one."""
    given = [*settings.allowed_host_names, *extra]
    names = [*LOCAL_NAMES, *given]
    wildcard = bound is not None and bound in WILDCARDS
    if bound and not wildcard:
        names.append(f"[{bound}]" if ":" in bound and not bound.startswith("[") else bound)
    names = [f"[{n}]" if ":" in n and not n.startswith("[") else n.lower() for n in names]
    any_host = "*" in given or (wildcard and not given)
    return HostPolicy(
        tuple(dict.fromkeys(names)), any_host, _is_loopback(bound), public_only=public_only
    )


def _is_loopback(bound: str | None) -> bool:
    if bound is None or bound.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(bound.strip("[]")).is_loopback
    except ValueError:
        return False


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for the archive's web app (one place for ``serve`` and tests)."""
    proxies = settings.trusted_proxy_addresses
    return {
        "access_log": False,
        "lifespan": "off",
        "server_header": False,
        "timeout_graceful_shutdown": 3,
        # Forwarded client addresses are believed only from the proxies named.
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": ",".join(proxies) if proxies else None,
    }


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


def serve_web(
    archive: Archive,
    app: str,
    host: str,
    port: int,
    *,
    hosts: HostPolicy | None = None,
    log_level: str = "info",
) -> None:
    """Serve the web app made by the factory ``app`` names until interrupted (Ctrl-C).

    ``hosts`` is the Host allow-list (default: ``host_policy`` for the bound address).

    Raises:
        UserError: the address is taken or cannot be used.
    """
    import uvicorn
    from uvicorn.importer import import_from_string

    sock = bind(host, port)
    try:
        factory = import_from_string(app)
        config = uvicorn.Config(
            factory(archive, hosts=hosts or host_policy(archive.settings, host)),
            log_level=log_level,
            **server_options(archive.settings),
        )
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
