"""Request dependencies: the archive and a read-only session."""

from __future__ import annotations

from collections.abc import Iterator

from starlette.requests import Request

from mediaarchive.services import Archive, views


def get_archive(request: Request) -> Archive:
    return request.app.state.archive


def get_session(request: Request) -> Iterator[views.ReadSession]:
    """A session that is never committed: the web only reads."""
    with views.read_session(get_archive(request)) as session:
        yield session
