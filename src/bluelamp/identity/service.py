"""Use cases: users and their roles, passwords, sign-in sessions, API tokens. Every change is audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bluelamp import clock, cpu
from bluelamp.audit import service as audit
from bluelamp.identity.model import (
    IdentityError,
    Principal,
    check_password,
    check_roles,
    check_team,
    check_username,
)
from bluelamp.identity.store import ApiToken, User, UserSession

_hasher = PasswordHasher()

# Sessions: ended after 30 minutes without a request, and 12 hours after sign-in whatever happens.
SESSION_IDLE = timedelta(minutes=30)
SESSION_ABSOLUTE = timedelta(hours=12)
# last_seen / last_used are written at most this often, so reads do not all become writes.
TOUCH_EVERY = timedelta(seconds=60)
TOKEN_DAYS = 90


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A fixed hash to check against when the user does not exist, so timing does not reveal names."""
    return _hasher.hash("not-a-real-password")


def deny_list() -> frozenset[str]:
    from bluelamp.identity.common_passwords import COMMON_PASSWORDS

    return COMMON_PASSWORDS


def new_password(password: str, username: str) -> str:
    from bluelamp.config import get_settings

    deny = deny_list()
    if not get_settings().is_production:
        deny = deny - {"bluelampdemo"}  # the demo force's public password; refused in production
    return check_password(password, username, deny)


def _user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise IdentityError(f"no user named {username!r}")
    return user


def add_user(session: Session, username: str, roles: list[str], password: str, actor: str = "system",
             team: str | None = None) -> User:
    check_username(username)
    roles = check_roles(roles)
    team = check_team(team)
    new_password(password, username)
    if session.execute(select(User.id).where(User.username == username)).first():
        raise IdentityError(f"user {username!r} already exists")
    user = User(
        username=username, password_hash=_hasher.hash(password), roles=roles, active=True, team=team,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.created", "user", user.id,
                 after={"username": username, "roles": roles, "team": team})
    return user


def set_active(session: Session, username: str, active: bool, actor: str = "system") -> User:
    """Disable (or enable) a user. Disabling ends every session at once; tokens are refused while the
    user is disabled (within the API's 10 s token cache) and work again if they are enabled."""
    user = _user(session, username)
    before = user.active
    user.active = active
    ended = 0 if active else end_sessions(session, user.id, "user_disabled")
    audit.record(session, actor, "user.enabled" if active else "user.disabled", "user", user.id,
                 before={"active": before}, after={"active": active, "sessions_ended": ended})
    return user


def set_password(session: Session, username: str, password: str, actor: str = "system") -> User:
    user = _user(session, username)
    new_password(password, username)
    user.password_hash = _hasher.hash(password)
    ended = end_sessions(session, user.id, "password_changed")
    audit.record(session, actor, "user.password_changed", "user", user.id, after={"sessions_ended": ended})
    return user


def set_roles(session: Session, username: str, roles: list[str], actor: str = "system") -> User:
    user = _user(session, username)
    roles = check_roles(roles)
    before = list(user.roles)
    user.roles = roles
    audit.record(session, actor, "user.roles_changed", "user", user.id, before={"roles": before},
                 after={"roles": roles})
    return user


def set_team(session: Session, username: str, team: str | None, actor: str = "system") -> User:
    """Move a user to a team (None: no team). Team rights follow at once for pages, within the API's
    10 s token cache for tokens."""
    user = _user(session, username)
    team = check_team(team)
    before = user.team
    user.team = team
    audit.record(session, actor, "user.team_changed", "user", user.id, before={"team": before},
                 after={"team": team})
    return user


def team_of(session: Session, username: str) -> tuple[str | None, list[str]] | None:
    """(team, roles) of a user, or None when no such active user exists."""
    row = session.execute(select(User.team, User.roles).where(User.username == username,
                                                              User.active.is_(True))).first()
    return None if row is None else (row[0], list(row[1] or []))


def effective_team(session: Session, oic: str, team: str | None) -> str | None:
    """A crime's team: its own, or (a crime recorded before teams) its OIC's current team."""
    if team is not None:
        return team
    found = team_of(session, oic)
    return found[0] if found else None


def principal_of(user: User) -> Principal:
    return Principal(user_id=user.id, username=user.username, roles=frozenset(user.roles), team=user.team)


def authenticate(session: Session, username: str, password: str) -> Principal | None:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    # argon2 runs in a worker process of lower priority (bluelamp.cpu), never on the request threads
    if user is None or not user.active:
        cpu.run("login", cpu.verify_argon2, _dummy_hash(), password + "x")
        return None
    if not cpu.run("login", cpu.verify_argon2, user.password_hash, password):
        return None
    return principal_of(user)


def user_id_of(session: Session, username: str) -> int | None:
    return session.execute(select(User.id).where(User.username == username)).scalar_one_or_none()


# -- tokens -------------------------------------------------------------------------------------


def create_token(session: Session, username: str, actor: str = "system", days: int | None = TOKEN_DAYS) -> str:
    user = _user(session, username)
    if days is not None and not 1 <= days <= 3650:
        raise IdentityError("--days must be between 1 and 3650")
    secret = "bl_" + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(user_id=user.id, token_digest=_digest(secret), created_at=now, revoked=False,
                     expires_at=now + timedelta(days=days) if days else None)
    session.add(token)
    session.flush()
    audit.record(session, actor, "token.created", "user", user.id,
                 after={"token_id": token.id, "expires_at": clock.iso(token.expires_at)})
    return secret


def list_tokens(session: Session, username: str) -> list[dict[str, Any]]:
    user = _user(session, username)
    now = clock.now()
    rows = session.execute(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)).scalars()
    out = []
    for t in rows:
        state = "revoked" if t.revoked else "expired" if t.expires_at and t.expires_at <= now else "active"
        out.append({"id": t.id, "state": state, "created_at": clock.iso(t.created_at),
                    "expires_at": clock.iso(t.expires_at), "last_used_at": clock.iso(t.last_used_at),
                    "revoked_at": clock.iso(t.revoked_at)})
    return out


def revoke_tokens(session: Session, username: str, token_id: int | None = None, actor: str = "system") -> list[int]:
    """Revoke one of the user's tokens (by id) or all of them; returns the ids revoked now."""
    user = _user(session, username)
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
    if token_id is not None:
        exists = session.execute(
            select(ApiToken.id).where(ApiToken.id == token_id, ApiToken.user_id == user.id)).first()
        if exists is None:
            raise IdentityError(f"user {username!r} has no token {token_id}")
        query = query.where(ApiToken.id == token_id)
    now = clock.now()
    ids = []
    for t in session.execute(query).scalars():
        t.revoked, t.revoked_at = True, now
        ids.append(t.id)
    audit.record(session, actor, "token.revoked", "user", user.id, after={"token_ids": ids})
    return ids


def lookup_token(session: Session, secret: str) -> tuple[Principal | None, int | None]:
    """Read-only: the token's principal, and the token id when its last use should be written."""
    now = clock.now()
    row = session.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_digest == _digest(secret), ApiToken.revoked.is_(False), User.active.is_(True))
    ).one_or_none()
    if row is None:
        return None, None
    user, token = row
    if token.expires_at is not None and token.expires_at <= now:
        return None, None
    touch = token.id if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY else None
    return principal_of(user), touch


def touch_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=clock.now()))


def resolve_token(session: Session, secret: str) -> Principal | None:
    principal, touch = lookup_token(session, secret)
    if touch is not None:
        touch_token(session, touch)
    return principal


# -- sessions -----------------------------------------------------------------------------------


def start_session(session: Session, principal: Principal) -> str:
    """A new server-side session; returns the secret the cookie carries."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(UserSession(id=_digest(secret), user_id=principal.user_id, created_at=now, last_seen_at=now))
    return secret


def lookup_session(session: Session, secret: str) -> tuple[Principal | None, tuple[str, str, str] | None]:
    """Read-only: the principal of a live session (or None: ended, idle too long, too old, user
    disabled) and the write it needs, if any: ("end", id, reason) or ("touch", id, "")."""
    now = clock.now()
    row = session.execute(
        select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.id == _digest(secret), UserSession.ended_at.is_(None))
    ).one_or_none()
    if row is None:
        return None, None
    user, live = row
    reason = None
    if not user.active:
        reason = "user_disabled"
    elif now - live.last_seen_at >= SESSION_IDLE:
        reason = "idle_timeout"
    elif now - live.created_at >= SESSION_ABSOLUTE:
        reason = "absolute_timeout"
    if reason is not None:
        return None, ("end", live.id, reason)
    return principal_of(user), (("touch", live.id, "") if now - live.last_seen_at >= TOUCH_EVERY else None)


def apply_session_write(session: Session, write: tuple[str, str, str]) -> None:
    kind, sid, reason = write
    now = clock.now()
    if kind == "end":
        session.execute(update(UserSession).where(UserSession.id == sid, UserSession.ended_at.is_(None))
                        .values(ended_at=now, ended_reason=reason))
    else:
        session.execute(update(UserSession).where(UserSession.id == sid).values(last_seen_at=now))


def resolve_session(session: Session, secret: str) -> Principal | None:
    principal, write = lookup_session(session, secret)
    if write is not None:
        apply_session_write(session, write)
    return principal


def end_session(session: Session, secret: str, reason: str = "logout") -> int | None:
    """End one session (logout); returns its user id, or None if it was not live."""
    live = session.get(UserSession, _digest(secret))
    if live is None or live.ended_at is not None:
        return None
    live.ended_at, live.ended_reason = clock.now(), reason
    return live.user_id


def end_sessions(session: Session, user_id: int, reason: str) -> int:
    result = session.execute(
        update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=clock.now(), ended_reason=reason))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def get_principal(session: Session, user_id: int) -> Principal | None:
    user = session.get(User, user_id)
    return principal_of(user) if user and user.active else None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
