"""Roles and the rules about them (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES: tuple[str, ...] = (
    "call_handler", "chat_operator", "dispatcher", "investigator", "supervisor", "cab_officer",
    "victim_care", "analyst", "leader", "auditor", "admin",
    "avl",  # the vehicle-location feed: posts unit positions only (issue 15)
    "telephony",  # the contact-centre platform's call-event feed: posts call events only (issue 16)
)

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
# NCSC password guidance: length over complexity, a deny-list of common and breached passwords, and
# not the username. Twelve characters admits three random words ("correct horse battery").
MIN_PASSWORD = 12
MAX_PASSWORD = 1024


class IdentityError(ValueError):
    """A user, role or password is not acceptable; the message names what."""


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user and the roles they hold."""

    user_id: int
    username: str
    roles: frozenset[str]
    team: str | None = None  # the team they work in (separation of duties: identity/access.py)

    def has_any(self, *roles: str) -> bool:
        return "admin" in self.roles or bool(self.roles.intersection(roles))

    @property
    def actor(self) -> str:
        return f"user:{self.username}"


def check_username(name: str) -> str:
    if not USERNAME.match(name):
        raise IdentityError("username must be 2-64 letters, digits, '.', '_' or '-'")
    return name


TEAM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,47}$")


def check_team(team: str | None) -> str | None:
    """A team name (or None: no team yet, which gives no team rights)."""
    if team is None or not team.strip():
        return None
    team = team.strip()
    if not TEAM.match(team):
        raise IdentityError("team must be 1-48 letters, digits, spaces, '.', '_' or '-'")
    return team


def check_roles(roles: list[str]) -> list[str]:
    if not roles:
        raise IdentityError("at least one --role is required")
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise IdentityError(f"unknown role {unknown[0]!r}; roles are: {', '.join(ROLES)}")
    return sorted(set(roles))


def check_password(password: str, username: str | None = None, deny: frozenset[str] = frozenset()) -> str:
    """A new password: long enough, not common, not the username. The message never repeats it."""
    if len(password) > MAX_PASSWORD:
        raise IdentityError(f"password must be at most {MAX_PASSWORD} characters")
    if len(password.strip()) < MIN_PASSWORD or len(set(password)) < 4:
        raise IdentityError(f"password must be at least {MIN_PASSWORD} characters, not mostly repeats or spaces")
    folded = "".join(ch for ch in password.lower() if ch.isalnum())
    if username:
        name = "".join(ch for ch in username.lower() if ch.isalnum())
        if name and len(name) >= 3 and name in folded:
            raise IdentityError("password must not contain the username")
    if password.lower() in deny or folded in deny or _stem(folded) in deny or not _stem(folded):
        raise IdentityError("password is on the list of common or breached passwords; choose three random words")
    return password


def _stem(folded: str) -> str:
    """'password2024!' and 'Password123' are the same common password with digits added."""
    return folded.rstrip("0123456789")
