"""Accounts: users with roles, Argon2 passwords, web sessions, API tokens, slowed guessing.

Roles rank ``viewer`` (sees internal assets) < ``editor`` (edits, reviews, withdraws) <
``admin`` (users, delete). There is no default account: the first admin is made with
``users add``. A web session is a random id in an HttpOnly cookie; the database keeps only
its sha256, so ``users disable`` or ``passwd`` ends the user's sessions at once. A session
ends after ``session_idle_hours`` without use and ``session_max_days`` at most.

After five failed log-ins an account waits 30 seconds, doubling with each further failure
(at most an hour); so does the address the attempts come from, except loopback addresses,
which every local user shares.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mediaarchive.archive import Archive
from mediaarchive.db import LoginFailure, User, WebSession
from mediaarchive.errors import ConflictError, NotFoundError, UserError

__all__ = [
    "ROLES",
    "Account",
    "LoginRefused",
    "PermissionDenied",
    "add_user",
    "any_accounts",
    "disable_user",
    "end_session",
    "issue_token",
    "list_users",
    "log_in",
    "may",
    "require",
    "session_account",
    "set_password",
    "token_account",
]

ROLES = ("viewer", "editor", "admin")
#: Failed log-ins before an account or address has to wait.
FREE_FAILURES = 5
FIRST_WAIT = 30.0
LONGEST_WAIT = 3600.0
MIN_PASSWORD = 8
MAX_PASSWORD = 1024

_HASHER = PasswordHasher()
#: Verified against when the name is unknown, so both cases cost the same time.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class LoginRefused(UserError):
    """Wrong name or password, a disabled account, or too many attempts."""

    http_status = 401


class PermissionDenied(UserError):
    """The account's role may not do this."""

    http_status = 403


@dataclass(frozen=True)
class Account:
    """Who is logged in (or the user of a list)."""

    name: str
    role: str
    disabled: bool = False
    created_at: datetime | None = None
    has_token: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "role": self.role,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "token": self.has_token,
        }


def may(account: Account | None, role: str) -> bool:
    """True when ``account`` holds ``role`` or a higher one."""
    if account is None or account.disabled:
        return False
    return ROLES.index(account.role) >= ROLES.index(role)


def require(account: Account | None, role: str, doing: str) -> None:
    """Raise ``PermissionDenied`` unless ``account`` may act as ``role``."""
    if not may(account, role):
        who = f"{account.name} ({account.role})" if account else "an anonymous visitor"
        raise PermissionDenied(f"{who} may not {doing}: that needs the role {role}")


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands times back without their zone; they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _account(user: User) -> Account:
    return Account(
        name=user.name,
        role=user.role,
        disabled=bool(user.disabled),
        created_at=_aware(user.created_at),
        has_token=user.token_hash is not None,
    )


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or not all(c.isalnum() or c in "._-@" for c in name):
        raise UserError(
            f"user name {name[:40]!r} is not allowed: use 1-100 letters, digits, '.', '_', "
            "'-' or '@'"
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password is too long: use at most {MAX_PASSWORD} characters")


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise NotFoundError(
            f"no user {name!r}: 'mediaarchive users list' shows them, 'users add' makes one"
        )
    return user


def any_accounts(archive: Archive) -> bool:
    """True when at least one account exists (else the web page runs in single-user mode)."""
    with archive.session() as session:
        return bool(session.scalar(select(func.count()).select_from(User)))


def add_user(archive: Archive, name: str, role: str, password: str) -> Account:
    """Make an account. Raises ``ConflictError`` when the name is taken."""
    name = _check_name(name)
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: choose {', '.join(ROLES)}")
    _check_password(password)
    with archive.session() as session:
        if session.scalar(select(User).where(User.name == name)) is not None:
            raise ConflictError(
                f"user {name!r} exists already: 'users passwd {name}' sets a password"
            )
        user = User(name=name, role=role, password_hash=_HASHER.hash(password), disabled=False)
        session.add(user)
        session.flush()
        return _account(user)


def list_users(archive: Archive) -> list[Account]:
    with archive.session() as session:
        return [_account(u) for u in session.scalars(select(User).order_by(User.name))]


def set_password(archive: Archive, name: str, password: str) -> Account:
    """A new password; the user's sessions end and a wait after failures is lifted."""
    _check_password(password)
    with archive.session() as session:
        user = _user(session, name)
        user.password_hash = _HASHER.hash(password)
        user.failures = 0
        user.locked_until = None
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        return _account(user)


def disable_user(archive: Archive, name: str) -> Account:
    """Disable an account: its sessions end now and its API token stops working."""
    with archive.session() as session:
        user = _user(session, name)
        user.disabled = True
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        return _account(user)


def issue_token(archive: Archive, name: str) -> str:
    """A new API token for ``name`` (the previous one stops working); shown once."""
    token = secrets.token_urlsafe(32)
    with archive.session() as session:
        user = _user(session, name)
        if user.disabled:
            raise UserError(f"user {name!r} is disabled: no token is issued")
        user.token_hash = _digest(token)
    return token


def token_account(archive: Archive, token: str) -> Account | None:
    """The account of an API token, or None (unknown token, disabled account)."""
    if not token:
        return None
    with archive.session() as session:
        user = session.scalar(select(User).where(User.token_hash == _digest(token)))
        if user is None or user.disabled:
            return None
        return _account(user)


def _is_loopback(address: str | None) -> bool:
    if not address:
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address == "testclient"


def _wait(failures: int) -> float:
    return min(FIRST_WAIT * 2 ** (failures - FREE_FAILURES), LONGEST_WAIT)


def _refuse_if_waiting(locked_until: datetime | None, now: datetime) -> None:
    locked_until = _aware(locked_until)
    if locked_until is not None and locked_until > now:
        seconds = int((locked_until - now).total_seconds()) + 1
        raise LoginRefused(f"too many failed log-ins: try again in {seconds} seconds")


def log_in(archive: Archive, name: str, password: str, address: str | None = None) -> str:
    """Check a name and password; return a new session id (for the cookie).

    Raises ``LoginRefused`` with one message for a wrong name or password (which of the two
    is not told), a disabled account, or while an account or address has to wait.
    """
    now = _now()
    per_address = not _is_loopback(address)
    with archive.session() as session:
        if per_address:
            failure = session.get(LoginFailure, address)
            _refuse_if_waiting(failure.locked_until if failure else None, now)
        user = session.scalar(select(User).where(User.name == name.strip()))
        if user is not None:
            _refuse_if_waiting(user.locked_until, now)
        try:
            _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password[:MAX_PASSWORD])
            ok = user is not None and not user.disabled
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            if user is not None:
                user.failures = (user.failures or 0) + 1
                if user.failures >= FREE_FAILURES:
                    user.locked_until = now + timedelta(seconds=_wait(user.failures))
            if per_address:
                failure = session.get(LoginFailure, address) or LoginFailure(
                    address=address, failures=0
                )
                failure.failures = (failure.failures or 0) + 1
                if failure.failures >= FREE_FAILURES:
                    failure.locked_until = now + timedelta(seconds=_wait(failure.failures))
                session.add(failure)
            session.commit()
            raise LoginRefused("wrong user name or password (or the account is disabled)")
        user.failures = 0
        user.locked_until = None
        if per_address:
            session.execute(delete(LoginFailure).where(LoginFailure.address == address))
        if _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = _HASHER.hash(password)
        session_id = secrets.token_urlsafe(32)
        session.add(
            WebSession(id=_digest(session_id), user_id=user.id, created_at=now, seen_at=now)
        )
    return session_id


def session_account(archive: Archive, session_id: str | None) -> Account | None:
    """The account of a session cookie, or None when it is unknown, expired or disabled.

    Using a session keeps it alive (idle expiry counts from the last use, at most once a
    minute written back).
    """
    if not session_id:
        return None
    now = _now()
    settings = archive.settings
    idle = timedelta(hours=settings.session_idle_hours)
    longest = timedelta(days=settings.session_max_days)
    with archive.session() as session:
        row = session.get(WebSession, _digest(session_id))
        if row is None:
            return None
        user = session.get(User, row.user_id)
        created, seen = _aware(row.created_at), _aware(row.seen_at)
        if user is None or user.disabled or now - seen > idle or now - created > longest:
            session.delete(row)
            return None
        if now - seen > timedelta(minutes=1):
            row.seen_at = now
        return _account(user)


def end_session(archive: Archive, session_id: str | None) -> None:
    """Log out: forget the session (unknown ids are ignored)."""
    if not session_id:
        return
    with archive.session() as session:
        session.execute(delete(WebSession).where(WebSession.id == _digest(session_id)))
