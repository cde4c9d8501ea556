"""`bluelamp report measures`."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date

import typer

from bluelamp.cliutil import command_group, database, fail


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--{name} must be a date like 2026-01-31, not {value!r}")


def register(app: typer.Typer) -> None:
    report = command_group(app, "report", "Reports on performance.")

    @report.command("measures")
    def measures_cmd(
        date_from: str | None = typer.Option(None, "--from", help="First day (inclusive, force local time)."),
        date_to: str | None = typer.Option(None, "--to", help="Last day (inclusive); default today."),
        area: str | None = typer.Option(None, "--area", help="Only incidents in this area."),
        agency: str = typer.Option("police", "--agency", help="Agency (imported CAD data keeps its own)."),
        format: str = typer.Option("json", "--format", help="json or csv."),
        breaches: int = typer.Option(50, "--breaches", help="How many breaches to list (JSON)."),
    ) -> None:
        """The performance measures for a period: attendance per grade, urban and rural, breaches, and every live measure."""
        from bluelamp.performance.measures import MeasuresError, measures, to_csv_rows
        from bluelamp.performance.service import with_all_measures

        if format not in ("json", "csv"):
            fail("--format must be json or csv")
        d_from, d_to = _date(date_from, "from"), _date(date_to, "to")
        db = database()
        try:
            with db.unit_of_work() as session:
                result = measures(session, d_from, d_to, agency=agency, area=area, breaches_limit=max(0, breaches))
                if format == "json":
                    result = with_all_measures(session, result)
        except MeasuresError as exc:
            fail(f"--{exc.field}: {exc}")
        if format == "json":
            print(json.dumps(result, indent=2))
            return
        rows = to_csv_rows(result)
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
