"""Shared fixtures for the demand tests: the real data folder next to the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def real() -> Path:
    if not REAL.exists():
        pytest.skip("the shared real data folder is not next to the repository")
    return REAL
