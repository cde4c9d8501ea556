"""Issue 13 "Shape": bureau tasks and alerts are their own small services that crime and victims call,
each table written by one service, and the crime/victims import cycles are broken."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "bluelamp"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_bureau_and_alerts_depend_on_neither_crime_nor_victims():
    for part in ("bureau", "alerts"):
        for path in (SRC / part).glob("*.py"):
            bad = {m for m in _imports(path) if m.startswith(("bluelamp.crime", "bluelamp.victims"))}
            assert not bad, f"{path.name} imports {bad}"


def test_victims_never_import_the_crime_sweep_or_the_crime_bureau():
    for path in (SRC / "victims").glob("*.py"):
        bad = {m for m in _imports(path) if m.startswith(("bluelamp.crime.sweep", "bluelamp.crime.bureau"))}
        assert not bad, f"victims/{path.name} imports {bad}"


def test_only_their_own_services_write_the_alert_and_task_tables():
    for path in SRC.rglob("*.py"):
        if path.parent.name in ("bureau", "alerts", "migrations", "versions") or path.name == "demo.py":
            continue  # the demo seeds in bulk; migrations create the tables
        text = path.read_text()
        for table in ("BureauTask", "CrimeAlert"):
            for verb in ("insert", "update", "delete"):
                assert f"{verb}({table})" not in text, f"{path.relative_to(SRC)} writes {table} with its own SQL"
