"""`bluelamp import cad` (and `bluelamp units add` for setting up a fleet by hand)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bluelamp.cliutil import database, fail


def group(app: typer.Typer, name: str, help: str) -> typer.Typer:
    """The sub-command group `name`, shared with any other context that adds commands to it."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    sub = typer.Typer(help=help, no_args_is_help=True)
    app.add_typer(sub, name=name)
    return sub


def register(app: typer.Typer) -> None:
    imports = group(app, "import", "Import records from other systems.")

    @imports.command("cad")
    def import_cad(
        file: Path = typer.Argument(..., help="A CAD export, CSV or CSV.GZ."),
        format: str = typer.Option("decc", "--format", help="The export's format (adapter)."),
        tz: str | None = typer.Option(None, "--tz", help="Time zone of the export's local times "
                                      "(decc: America/New_York)."),
        grade_map: str | None = typer.Option(None, "--grade-map", help="Source priority to grade, e.g. "
                                             "'0-1=1,2=2,3-4=3,*=4' (the default)."),
    ) -> None:
        """Import a CAD export as contacts and incidents of every agency in it; prints a JSON summary last."""
        from bluelamp.response.importers import FileError
        from bluelamp.response.importers.runner import import_cad as run

        db = database()
        try:
            summary = run(db, file, fmt=format, tz=tz, grade_map=grade_map)
        except FileError as exc:
            fail(f"{file}: {exc}; nothing was imported")
        print(json.dumps(summary.to_dict()))
