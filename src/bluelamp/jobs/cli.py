"""`bluelamp jobs run`: run timed work that is due (the server also does this every few seconds)."""

from __future__ import annotations

import json

import typer

from bluelamp.cliutil import database


def register(app: typer.Typer) -> None:
    jobs_app = typer.Typer(help="Timed work.", no_args_is_help=True)
    app.add_typer(jobs_app, name="jobs")

    @jobs_app.command("run")
    def run() -> None:
        """Run every job that is due now, then exit."""
        from bluelamp.jobs.runner import run_due

        ran = run_due(database(), limit=100_000)
        print(json.dumps({"ran": ran}))
