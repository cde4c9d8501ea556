"""`bluelamp demo`: seed the synthetic demo force into the configured database."""

from __future__ import annotations

import json
import sys

import typer

from bluelamp.cliutil import database, fail


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_command(
        days: int = typer.Option(365, "--days", min=1, max=3660, help="Days of history, ending now."),
        seed: int = typer.Option(42, "--seed", help="The same seed always gives the same force."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
    ) -> None:
        """Seed a synthetic county force: N days of contacts, people and incidents, and demo users.

        Refuses (exit 1) if the database already holds the demo force: use a fresh database to seed again.
        Demo users (handler, supervisor, dispatcher, chatop, investigator, cab, victimcare, analyst, leader,
        auditor, admin) have the password "bluelamp-demo". The last line printed is a JSON summary.
        """
        from tqdm import tqdm

        from bluelamp.config import get_settings
        from bluelamp.synth import demo

        if get_settings().is_production:
            fail("the demo force (public passwords) is refused with BLUELAMP_ENV=production")
        db = database()
        bars: list[tqdm] = []

        def progress_factory(total: int) -> demo.Progress:
            bar = tqdm(total=total, unit="contact", unit_scale=True, file=sys.stderr, disable=quiet,
                       desc="demo force", dynamic_ncols=True)
            bars.append(bar)
            return bar.update

        try:
            summary = demo.seed(db, days=days, seed=seed, progress_factory=progress_factory)
        except demo.DemoAlreadySeeded as exc:
            fail(str(exc))
        finally:
            for bar in bars:
                bar.close()
        print(json.dumps(summary))
