"""Shared fixtures for the demand tests: the real data folder next to the repository."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"
# The one policy for tests of real data (../shared, beside the repository, not in it): without it they
# are skipped with this reason, through the `real` fixture or, for cases read at collection, `real_cases`.
MISSING = "the shared real data folder (../shared/data/real) is not next to the repository"


@pytest.fixture(scope="session")
def real() -> Path:
    if not REAL.exists():
        pytest.skip(MISSING)
    return REAL


def real_cases(relative: str, id_column: str, where: Callable[[dict[str, str]], bool] = bool) -> list[Any]:
    """The rows of a CSV under ../shared/data/real as test parameters; without the file, one skipped
    parameter saying why (never an import error that stops the whole run)."""
    path = REAL / relative
    if not path.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="no-shared-data")]
    with path.open(newline="") as fh:
        return [pytest.param(row, id=row[id_column]) for row in csv.DictReader(fh) if where(row)]
