"""Use cases: add users, check passwords, issue and resolve tokens."""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.identity.model import IdentityError, Principal, check_password, check_roles, check_username
from bluelamp.identity.store import ApiToken, User

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A fixed hash to check against when the user does not exist, so timing does not reveal names."""
    return _hasher.hash("not-a-real-password")


def add_user(session: Session, username: str, roles: list[str], password: str, actor: str = "system") -> User:
    check_username(username)
    roles = check_roles(roles)
    check_password(password)
    if session.execute(select(User.id).where(User.username == username)).first():
        raise IdentityError(f"user {username!r} already exists")
    user = User(
        username=username, password_hash=_hasher.hash(password), roles=roles, active=True,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.created", "user", user.id, after={"username": username, "roles": roles})
    return user


def principal_of(user: User) -> Principal:
    return Principal(user_id=user.id, username=user.username, roles=frozenset(user.roles))


def authenticate(session: Session, username: str, password: str) -> Principal | None:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    try:
        if user is None or not user.active:
            _hasher.verify(_dummy_hash(), password + "x")
            return None
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return principal_of(user)


def create_token(session: Session, username: str, actor: str = "system") -> str:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise IdentityError(f"no user named {username!r}")
    secret = "bl_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_digest=_digest(secret), created_at=clock.now(), revoked=False)
    session.add(token)
    session.flush()
    audit.record(session, actor, "token.created", "user", user.id, after={"token_id": token.id})
    return secret


def resolve_token(session: Session, secret: str) -> Principal | None:
    row = session.execute(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_digest == _digest(secret), ApiToken.revoked.is_(False), User.active.is_(True))
    ).scalar_one_or_none()
    return principal_of(row) if row else None


def get_principal(session: Session, user_id: int) -> Principal | None:
    user = session.get(User, user_id)
    return principal_of(user) if user and user.active else None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
