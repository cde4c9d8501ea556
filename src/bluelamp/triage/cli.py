"""`bluelamp triage [FILE]`: assess contacts given as JSON, one assessment per input line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer


def register(app: typer.Typer) -> None:
    @app.command("triage")
    def triage(
        file: Path | None = typer.Argument(None, help="JSON or JSON-lines file of contacts (default: stdin).",
                                           exists=True, dir_okay=False, readable=True),
    ) -> None:
        """Assess contacts (one JSON object, or JSON lines) and print one assessment per line; no database."""
        text = file.read_text(encoding="utf-8") if file else sys.stdin.read()
        errors = run(text, sys.stdout)
        if errors:
            raise typer.Exit(1)


def run(text: str, out: Any) -> int:
    """Assess every contact in `text`, writing one JSON line each; returns the number of errors."""
    from pydantic import ValidationError

    from bluelamp.contact.model import ContactIn
    from bluelamp.policy import load_policy
    from bluelamp.triage.service import assess

    policy = load_policy()
    errors = 0
    lines = []
    for item in _items(text):
        if isinstance(item, str):
            result: dict[str, Any] = {"error": item}
        else:
            try:
                result = assess(ContactIn.model_validate(item), policy=policy).to_dict()
            except ValidationError as exc:
                result = {"error": _describe(exc)}
        errors += "error" in result
        lines.append(json.dumps(result, separators=(",", ":"), ensure_ascii=False))
        if len(lines) >= 512:
            out.write("\n".join(lines) + "\n")
            lines.clear()
    if lines:
        out.write("\n".join(lines) + "\n")
    out.flush()
    return errors


def _items(text: str) -> Iterator[dict[str, Any] | str]:
    """The contacts in the input: a whole-input JSON object, else one per non-blank line (str = error)."""
    stripped = text.strip()
    if stripped.startswith("{") and "\n" in stripped:
        try:
            whole = json.loads(stripped)
        except json.JSONDecodeError:
            pass
        else:
            if isinstance(whole, dict):
                yield whole
                return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"json: line {number} is not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        if not isinstance(value, dict):
            yield f"json: line {number} is not a JSON object"
            continue
        yield value


def _describe(exc: Any) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "contact"
    return f"{where}: {err['msg']}"
