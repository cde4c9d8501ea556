"""db/pg_arrays.py: the quicker text array dumper writes exactly what psycopg's own ListDumper writes."""

from __future__ import annotations

import json
from typing import Any

import pytest

psycopg = pytest.importorskip("psycopg")

from psycopg.adapt import AdaptersMap, PyFormat, Transformer  # noqa: E402
from psycopg.types.array import ListDumper  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

from bluelamp.db.pg_arrays import QuickListDumper, fits  # noqa: E402

AWKWARD = ['', 'plain', 'two words', 'a "quoted" word', 'back\\slash', '\\"', '"\\', 'NULL', 'null', '{x}',
           'a,b', 'tab\tnew\nline', "it's", 'ünïcödé “curly”', '\\\\""\\', ' lead', 'trail ']


def _dump(dumper: type[Any], value: list[Any], fmt: PyFormat) -> bytes:
    adapters = AdaptersMap(psycopg.adapters)
    adapters.register_dumper(list, dumper)
    tx = Transformer(adapters)
    return bytes(tx.get_dumper(value, fmt).dump(value))


@pytest.mark.parametrize("fmt", [PyFormat.TEXT, PyFormat.AUTO])
@pytest.mark.parametrize("value", [
    AWKWARD,
    [None, *AWKWARD, None],
    [AWKWARD[:5], AWKWARD[5:10]],
    [json.dumps({"k": v, "n": [1, 2], "q": '"'}) for v in AWKWARD],
    [Jsonb({"k": v, "nested": {"a": [v, None]}}) for v in AWKWARD],
    [1, 2, 3],
    [],
])
def test_same_bytes_as_psycopg(value: list[Any], fmt: PyFormat) -> None:
    assert _dump(QuickListDumper, value, fmt) == _dump(ListDumper, value, fmt)


def test_fits_the_installed_psycopg() -> None:
    assert fits()  # else psycopg changed ListDumper: engines keep its own dumper (check and adapt)


def test_engines_use_it() -> None:
    from bluelamp.db.engine import make_engine

    make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none").dispose()  # connects lazily: never here
    assert psycopg.adapters.get_dumper(list, PyFormat.AUTO) is QuickListDumper
    assert psycopg.adapters.get_dumper(list, PyFormat.TEXT) is QuickListDumper
