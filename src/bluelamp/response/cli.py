"""`bluelamp import cad`. (Units are set up through `POST /api/v1/units`; there is no `units add` command.)"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bluelamp.cliutil import command_group, database, fail


def register(app: typer.Typer) -> None:
    imports = command_group(app, "import", "Import records from other systems.")

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
