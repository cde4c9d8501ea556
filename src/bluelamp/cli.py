"""The `bluelamp` command. Each context adds its own commands from `<context>/cli.py`."""

from __future__ import annotations

import importlib
import importlib.util
import sys

import typer

from bluelamp.cliutil import fail
from bluelamp.config import ConfigError

app = typer.Typer(
    name="bluelamp",
    help="Open platform for police contact and demand management.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

CONTEXTS = (
    "web", "identity", "audit", "contact", "triage", "synth", "jobs", "response", "location", "chat", "crime",
    "victims", "demand", "performance", "telephony", "db",
)


def _register_contexts() -> None:
    for name in CONTEXTS:
        module = f"bluelamp.{name}.cli"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module).register(app)


_register_contexts()


def main() -> None:
    """Entry point: any error a user can cause ends as one line on stderr and a non-zero exit."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except ConfigError as exc:  # a bad setting: its own line names it (config.describe)
        fail(str(exc))
    except Exception as exc:  # last resort: never a traceback for the user
        fail(f"{type(exc).__name__}: {exc}")
