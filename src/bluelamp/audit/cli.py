"""`bluelamp audit verify`."""

from __future__ import annotations

import json

import typer

from bluelamp.audit import service
from bluelamp.cliutil import database, fail


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
    app.add_typer(audit_app, name="audit")

    @audit_app.command("verify")
    def verify() -> None:
        """Check every entry's digest and link, the end of the chain against the anchor, and the entries
        waiting to be chained (any a crash left are chained first, as by every command)."""
        db = database()
        with db.unit_of_work() as session:
            result = service.verify(session)
        print(json.dumps({"ok": result.ok, "entries": result.entries, "unsealed": result.unsealed,
                          "oldest_unsealed_s": result.oldest_unsealed_s, "problems": result.problems[:50]}))
        if not result.ok:
            fail(f"audit trail is not intact: {result.problems[0]}")
