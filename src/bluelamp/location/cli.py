"""`bluelamp import gazetteer` and `bluelamp import street-crime`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bluelamp.cliutil import command_group, database, fail


def register(app: typer.Typer) -> None:
    imports = command_group(app, "import", "Import records from other systems.")

    @imports.command("gazetteer")
    def import_gazetteer(
        file: Path = typer.Argument(..., help="OS Open Names or Code-Point Open CSV (or CSV.GZ)."),
        format: str = typer.Option(..., "--format", help="os-open-names or code-point-open"),
    ) -> None:
        """Import gazetteer entries (streets, places, postcodes); prints a JSON summary last."""
        from bluelamp.location.imports import FileError
        from bluelamp.location.imports import import_gazetteer as run

        try:
            summary = run(database(), file, format)
        except FileError as exc:
            fail(f"{file}: {exc}; nothing was imported")
        print(json.dumps(summary.to_dict()))

    @imports.command("street-crime")
    def import_street_crime(
        files: list[Path] = typer.Argument(..., help="data.police.uk street-level crime CSV or CSV.GZ files."),
    ) -> None:
        """Import street-level crime for hotspots; prints a JSON summary last."""
        from bluelamp.location.imports import FileError
        from bluelamp.location.imports import import_street_crime as run

        try:
            summary = run(database(), list(files))
        except FileError as exc:
            fail(f"{exc}; nothing was imported")
        print(json.dumps(summary.to_dict()))
