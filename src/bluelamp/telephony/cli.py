"""`bluelamp import phone`: an hourly answer-time report from the contact-centre platform."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bluelamp.cliutil import command_group, database, fail


def register(app: typer.Typer) -> None:
    imports = command_group(app, "import", "Import records from other systems.")

    @imports.command("phone")
    def import_phone(
        file: Path = typer.Argument(..., help="An hourly answer-time report, CSV or CSV.GZ."),
        format: str = typer.Option("hourly-bands", "--format", help="The report's format (hourly-bands)."),
        tz: str | None = typer.Option(None, "--tz", help="Time zone of interval_start_local "
                                      "(default: the force's, BLUELAMP_TIMEZONE)."),
    ) -> None:
        """Import an hourly answer-time report (999 and 101 calls per answer band); prints a JSON summary last."""
        from bluelamp.response.importers import FileError
        from bluelamp.telephony.imports import import_hourly

        db = database()
        try:
            summary = import_hourly(db, file, fmt=format, tz=tz)
        except FileError as exc:
            fail(f"{file}: {exc}; nothing was imported")
        print(json.dumps(summary.to_dict()))
