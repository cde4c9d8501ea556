"""`bluelamp user add|disable|enable|passwd|roles` and `bluelamp token create|list|revoke` (each audited)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import typer

from bluelamp.cliutil import database, fail
from bluelamp.identity import service
from bluelamp.identity.model import IdentityError

CLI = "cli"


def _run(work: Callable[[Any], Any]) -> Any:
    db = database()
    try:
        with db.unit_of_work() as session:
            return work(session)
    except IdentityError as exc:
        fail(str(exc))


def register(app: typer.Typer) -> None:
    user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
    token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")

    @user_app.command("add")
    def add(
        name: str,
        role: list[str] = typer.Option(..., "--role", help="A role; repeat for several."),
        team: str | None = typer.Option(None, "--team", help="The team they work in (crimes they may change)."),
    ) -> None:
        """Create a user with one or more roles; the password is the first line of stdin."""
        password = sys.stdin.readline().rstrip("\r\n")
        _run(lambda s: service.add_user(s, name, list(role), password, actor=CLI, team=team))
        print(f"user {name} created with roles {', '.join(sorted(set(role)))}" + (f" in team {team}" if team else ""))

    @user_app.command("team")
    def team_(
        name: str,
        team: str | None = typer.Option(None, "--team", help="The new team; leave out for no team."),
    ) -> None:
        """Move a user to a team (or, without --team, to none)."""
        _run(lambda s: service.set_team(s, name, team, actor=CLI))
        print(f"user {name} is now in team {team}" if team else f"user {name} is now in no team")

    @user_app.command("disable")
    def disable(name: str) -> None:
        """Disable a user: their sessions end now and their tokens are refused (within 10 s)."""
        _run(lambda s: service.set_active(s, name, False, actor=CLI))
        print(f"user {name} disabled")

    @user_app.command("enable")
    def enable(name: str) -> None:
        """Enable a disabled user again (they sign in afresh; unrevoked tokens work again)."""
        _run(lambda s: service.set_active(s, name, True, actor=CLI))
        print(f"user {name} enabled")

    @user_app.command("passwd")
    def passwd(name: str) -> None:
        """Set a user's password (the first line of stdin); their sessions end."""
        password = sys.stdin.readline().rstrip("\r\n")
        _run(lambda s: service.set_password(s, name, password, actor=CLI))
        print(f"password of {name} changed; their sessions are ended")

    @user_app.command("roles")
    def roles(
        name: str,
        role: list[str] = typer.Option(..., "--role", help="A role; repeat for several."),
    ) -> None:
        """Replace a user's roles."""
        _run(lambda s: service.set_roles(s, name, list(role), actor=CLI))
        print(f"user {name} now has roles {', '.join(sorted(set(role)))}")

    @token_app.command("create")
    def create(
        name: str,
        days: int = typer.Option(service.TOKEN_DAYS, "--days", help="Days until the token expires."),
    ) -> None:
        """Print a bearer token for that user's API access, alone on the last line."""
        secret = _run(lambda s: service.create_token(s, name, actor=CLI, days=days))
        print(secret)

    @token_app.command("list")
    def list_(name: str) -> None:
        """The user's tokens, one JSON object a line: id, state, created, expires, last used."""
        for row in _run(lambda s: service.list_tokens(s, name)):
            print(json.dumps(row))

    @token_app.command("revoke")
    def revoke(
        name: str,
        all_: bool = typer.Option(False, "--all", help="Revoke every token of the user."),
        token_id: int | None = typer.Option(None, "--id", help="Revoke the token with this id."),
    ) -> None:
        """Revoke one token (--id) or all of them (--all); refused by the API within 10 s."""
        if all_ == (token_id is not None):
            fail("give exactly one of --all or --id ID")
        ids = _run(lambda s: service.revoke_tokens(s, name, None if all_ else token_id, actor=CLI))
        print(f"revoked {len(ids)} token{'s' if len(ids) != 1 else ''} of {name}"
              + (f": {', '.join(map(str, ids))}" if ids else ""))
