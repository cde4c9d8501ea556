"""`bluelamp db partitions`: create the coming months' partitions now, and list them (PostgreSQL)."""

from __future__ import annotations

import json

import typer

from bluelamp.cliutil import database, fail


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Database upkeep.", no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @db_app.command("partitions")
    def partitions_command(
        ahead: int = typer.Option(3, "--ahead", help="months to create after the current one"),
        show: bool = typer.Option(False, "--list", help="also list every partition with its row count"),
    ) -> None:
        """Create this month's and the next months' partitions where missing (the daily job does the same)."""
        from bluelamp.db import partitions
        from bluelamp.db.partition_job import create_ahead

        if not 0 <= ahead <= 120:
            fail("--ahead must be between 0 and 120 months")
        db = database()
        with db.unit_of_work() as session:
            created = create_ahead(session, "system:cli", ahead)
        out: dict[str, object] = {"dialect": db.dialect, "created": created}
        if show:
            with db.unit_of_work(write=False) as session:
                conn = session.connection()
                out["partitions"] = {t: [{"name": p.name, "month": p.month and p.month.isoformat(), "rows": p.rows}
                                         for p in partitions.partitions(conn, t, counts=True)]
                                     for t in partitions.PARTITIONED if partitions.is_partitioned(conn, t)}
        print(json.dumps(out))
