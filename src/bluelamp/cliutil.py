"""Helpers shared by every context's commands."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from bluelamp.db.engine import Database, get_database
from bluelamp.db.migrate import upgrade


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear line to stderr and exit non-zero."""
    print(f"bluelamp: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def command_group(app: typer.Typer, name: str, help: str) -> typer.Typer:
    """The sub-command group `name` (`bluelamp import ...`, `bluelamp report ...`), created by the
    first context that adds a command to it and shared with the others."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    sub = typer.Typer(help=help, no_args_is_help=True)
    app.add_typer(sub, name=name)
    return sub


def database() -> Database:
    """The configured database, created or migrated as needed (every command may be the first)."""
    from sqlalchemy.exc import OperationalError

    db = get_database()
    try:
        upgrade(db.engine)
    except OperationalError as exc:
        fail(f"database unavailable: {str(exc.orig).strip().splitlines()[0] if exc.orig else exc}")
    return db
