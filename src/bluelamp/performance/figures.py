"""How a measure is counted in SQL, once for the figure and once for its records.

Every measure is a `Def`: a table, the conditions that put a record in the period and scope (`base`),
the records it is about (`den`) and, for a share, those that meet it (`num`); for a mean or a sum, the
value to add up (`value`). The dashboard runs one grouped query per family (one table, one period
column) with a FILTER per measure; the drill-down runs the same conditions to list the record ids, so
the list behind a figure always has exactly as many records as the figure says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, cast, func, not_, select, true
from sqlalchemy.orm import Session

from bluelamp.performance.model import Figure


@dataclass(frozen=True)
class Scope:
    """The period [start, end) in UTC and the filters every figure shares."""

    start: datetime
    end: datetime
    now: datetime
    area: str | None = None
    channel: str | None = None
    agency: str = "police"


@dataclass(frozen=True)
class Def:
    """One measure's SQL. `kind` is `share`, `mean` or `sum`."""

    key: str
    table: Any  # the mapped class whose ids are the records
    den: ColumnElement[bool]
    num: ColumnElement[bool] | None = None
    value: Any = None  # a column or expression
    kind: str = "share"
    order: Any = None  # the column the record list is sorted by, newest first


Family = Callable[[Session, Scope], tuple[list[ColumnElement[bool]], list[Def]]]


def seconds(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """`later - earlier` in seconds, on PostgreSQL and SQLite alike."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    # SQLite's date functions keep milliseconds only (10.0003 s would be 10.000): whole seconds from
    # strftime('%s'), plus the stored microseconds (SQLAlchemy writes 'YYYY-MM-DD HH:MM:SS.ffffff').
    def exact(t: Any) -> Any:
        return cast(func.strftime("%s", t), Float) + cast(func.substr(t, 20), Float)

    return exact(later) - exact(earlier)


def run_family(session: Session, base: Sequence[ColumnElement[bool]], defs: Sequence[Def]) -> dict[str, Figure]:
    """One query for every measure of a family: counts (and sums) with a FILTER each."""
    if not defs:
        return {}
    cols: list[ColumnElement[Any]] = []
    for d in defs:
        cols.append(func.count().filter(d.den))
        if d.kind == "share":
            assert d.num is not None
            cols.append(func.count().filter(and_(d.den, d.num)))
        else:
            assert d.value is not None
            cols.append(func.sum(cast(d.value, Float)).filter(d.den))
    row = session.execute(select(*cols).select_from(defs[0].table).where(*base)).one()
    out: dict[str, Figure] = {}
    for k, d in enumerate(defs):
        # For a mean or a sum, the numerator is the total and the denominator the records added up.
        out[d.key] = Figure(numerator=float(row[2 * k + 1] or 0), denominator=int(row[2 * k] or 0))
    return out


def record_ids(session: Session, base: Sequence[ColumnElement[bool]], d: Def, met: bool | None,
               limit: int, offset: int = 0) -> tuple[int, list[int]]:
    """The ids behind a figure (`met`: only those meeting it, or only those not), with their total."""
    conds = [*base, d.den]
    if met is not None and d.num is not None:
        conds.append(d.num if met else not_(_coalesce_true(d.num)))
    id_col = d.table.id
    total = int(session.execute(select(func.count()).select_from(d.table).where(*conds)).scalar_one())
    order = d.order if d.order is not None else id_col
    ids = [int(i) for i in session.execute(
        select(id_col).where(*conds).order_by(order.desc(), id_col.desc()).limit(limit).offset(offset)).scalars()]
    return total, ids


def _coalesce_true(cond: ColumnElement[bool]) -> ColumnElement[bool]:
    """A condition that is NULL (say, a JSON key absent) counts as not met, never as unknown."""
    return func.coalesce(cond, False) == true()


def run_family_grouped(session: Session, base: Sequence[ColumnElement[bool]], defs: Sequence[Def],
                       groups: Sequence[Any]) -> dict[tuple[Any, ...], dict[str, Figure]]:
    """As `run_family`, one row per value of `groups` (for the daily roll-up)."""
    cols: list[ColumnElement[Any]] = []
    for d in defs:
        cols.append(func.count().filter(d.den))
        if d.kind == "share":
            assert d.num is not None
            cols.append(func.count().filter(and_(d.den, d.num)))
        else:
            cols.append(func.sum(cast(d.value, Float)).filter(d.den))
    out: dict[tuple[Any, ...], dict[str, Figure]] = {}
    query = select(*groups, *cols).select_from(defs[0].table).where(*base).group_by(*groups)
    width = len(groups)
    for row in session.execute(query):
        out[tuple(row[:width])] = {d.key: Figure(numerator=float(row[width + 2 * k + 1] or 0),
                                                 denominator=int(row[width + 2 * k] or 0))
                                   for k, d in enumerate(defs)}
    return out
