"""Request dependencies: the archive, a read-only session, the asset named in the path."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session
from starlette.requests import Request

from mediaarchive.archive import Archive, find_asset
from mediaarchive.db import Asset


def get_archive(request: Request) -> Archive:
    return request.app.state.archive


def get_session(request: Request) -> Iterator[Session]:
    """A session that is never committed: the web only reads."""
    session = get_archive(request).db.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def load_asset(session: Session, asset_id: str) -> Asset:
    """The asset for an id from the URL (validated: 6 to 64 hex digits, unique).

    Raises:
        UserError: not an id; NotFoundError: unknown; AmbiguousIdError: several match.
    """
    return find_asset(session, asset_id[:64])
