"""Accounts: memory-hard password hashes (argon2id) and hashed, revocable API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.db.base import utcnow
from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import ApiToken, User
from qualcode.services import audit

_hasher = PasswordHasher()  # argon2id, memory-hard
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MIN_PASSWORD = 8
CONSENSUS = "consensus"
MACHINE = "machine"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    session: Session,
    username: str,
    *,
    password: str | None = None,
    display_name: str = "",
    is_admin: bool = False,
    is_system: bool = False,
    actor_id: int | None = None,
) -> User:
    if not USERNAME.match(username):
        raise InvalidInput(f"invalid user name {username!r}: use letters, digits, '.', '_' or '-'")
    if get_user(session, username, missing_ok=True):
        raise Conflict(f"a user named {username} already exists")
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password must have at least {MIN_PASSWORD} characters")
    user = User(
        username=username,
        display_name=display_name or username,
        is_admin=is_admin,
        is_system=is_system,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.created", user, user_id=actor_id, detail={"username": username})
    return user


def get_user(session: Session, username: str, *, missing_ok: bool = False) -> User | None:
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None and not missing_ok:
        raise NotFound(f"no user named {username}")
    return user


def require_user(session: Session, username: str) -> User:
    user = get_user(session, username)
    assert user is not None
    return user


def system_user(session: Session, username: str = CONSENSUS) -> User:
    """The pseudo-coder owning a layer no person owns (the adjudicated consensus, the machine)."""
    user = get_user(session, username, missing_ok=True)
    if user is None:
        user = create_user(session, username, display_name=username.capitalize(), is_system=True)
    return user


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password must have at least {MIN_PASSWORD} characters")
    user.password_hash = hash_password(password)
    audit.record(session, "user.password_changed", user, user_id=user.id)
    session.flush()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or ``None`` (the same answer for every failure)."""
    user = get_user(session, username, missing_ok=True)
    if user is None or not user.active or not user.password_hash or user.is_system:
        _hasher.hash("timing-equaliser")
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def count_users(session: Session) -> int:
    return (
        session.scalar(select(func.count()).select_from(User).where(User.is_system.is_(False))) or 0
    )


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(
        select(User).where(User.is_system.is_(False)).order_by(User.username)
    ).all()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a personal API token; the clear token is returned once and never stored."""
    token = "qc_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name or "token", token_hash=_token_hash(token))
    session.add(row)
    session.flush()
    audit.record(session, "token.created", row, user_id=user.id, detail={"name": row.name})
    return row, token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user


def revoke_token(session: Session, user: User, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"no token with id {token_id}")
    row.revoked_at = utcnow()
    audit.record(session, "token.revoked", row, user_id=user.id)
    session.flush()
