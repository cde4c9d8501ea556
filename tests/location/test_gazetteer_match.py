"""The demo gazetteer finds what handlers type: misspelt and partial locations (benchmarks' query sets)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from bluelamp.location.gazetteer import Index, demo_entries  # noqa: E402
from gazetteer_queries import HELD_OUT, QUERIES, is_hit  # noqa: E402


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(demo_entries())


@pytest.mark.parametrize("queries", [QUERIES, HELD_OUT], ids=["development", "held-out"])
def test_nine_in_ten_typed_locations_find_the_place_first(index, queries):
    first = sum(bool((m := index.match(q, limit=5)) and is_hit(m[0].entry, n, loc)) for q, n, loc in queries)
    assert first >= 0.9 * len(queries)


def test_a_town_named_alone_is_the_town_not_one_of_its_streets(index):
    assert index.match("Leek")[0].entry.kind == "place"
    assert index.match("rugely")[0].entry.name == "Rugeley"


def test_a_postcode_is_found_exactly_and_nonsense_finds_nothing(index):
    assert index.match("ST16")[0].entry.postcode == "ST16"
    assert index.match("xq zzv qqq") == []
