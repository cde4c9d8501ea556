"""Roles and the rules about them (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES: tuple[str, ...] = (
    "call_handler", "chat_operator", "dispatcher", "investigator", "supervisor", "cab_officer",
    "victim_care", "analyst", "leader", "auditor", "admin",
)

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
MIN_PASSWORD = 8


class IdentityError(ValueError):
    """A user, role or password is not acceptable; the message names what."""


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user and the roles they hold."""

    user_id: int
    username: str
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return "admin" in self.roles or bool(self.roles.intersection(roles))

    @property
    def actor(self) -> str:
        return f"user:{self.username}"


def check_username(name: str) -> str:
    if not USERNAME.match(name):
        raise IdentityError("username must be 2-64 letters, digits, '.', '_' or '-'")
    return name


def check_roles(roles: list[str]) -> list[str]:
    if not roles:
        raise IdentityError("at least one --role is required")
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise IdentityError(f"unknown role {unknown[0]!r}; roles are: {', '.join(ROLES)}")
    return sorted(set(roles))


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise IdentityError(f"password must be at least {MIN_PASSWORD} characters")
    return password
