"""`bluelamp user add` and `bluelamp token create`."""

from __future__ import annotations

import sys

import typer

from bluelamp.cliutil import database, fail
from bluelamp.identity import service
from bluelamp.identity.model import IdentityError


def register(app: typer.Typer) -> None:
    user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
    token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")

    @user_app.command("add")
    def add(
        name: str,
        role: list[str] = typer.Option(..., "--role", help="A role; repeat for several."),
    ) -> None:
        """Create a user with one or more roles; the password is the first line of stdin."""
        password = sys.stdin.readline().rstrip("\r\n")
        db = database()
        try:
            with db.unit_of_work() as session:
                service.add_user(session, name, list(role), password, actor="cli")
        except IdentityError as exc:
            fail(str(exc))
        print(f"user {name} created with roles {', '.join(sorted(set(role)))}")

    @token_app.command("create")
    def create(name: str) -> None:
        """Print a bearer token for that user's API access, alone on the last line."""
        db = database()
        try:
            with db.unit_of_work() as session:
                secret = service.create_token(session, name, actor="cli")
        except IdentityError as exc:
            fail(str(exc))
        print(secret)
