"""Shared triage fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bluelamp.policy import load_policy
from bluelamp.triage import service, textmodel


@pytest.fixture()
def shipped_model_with_floor() -> Iterator[Callable[[dict[str, Any]], None]]:
    """Put the shipped model into the engine with the grade floors a test gives (the mechanism under test,
    not where the shipped thresholds sit); the shipped reader is put back afterwards."""
    policy = load_policy()
    engine = service._engine(policy)
    shipped = engine.reader

    def use(floor: dict[str, Any]) -> None:
        meta, heads = textmodel.load(textmodel.model_path(policy.version))
        meta["thresholds"]["floor"] = floor
        object.__setattr__(engine, "reader", textmodel.TextReader(meta, heads, {}))

    yield use
    object.__setattr__(engine, "reader", shipped)
