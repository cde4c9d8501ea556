"""Fast bulk inserts for the demo: values converted once, by column type, and sent with executemany.

SQLAlchemy's per-row bind processing costs more than the database itself when a year (about two
million rows across the tables) is written, so the demo converts values the way the column types would
(`UTCDateTime`, JSON, dates, booleans; the same text formats SQLAlchemy stores on SQLite) and hands
plain tuples to the driver. Ids are taken up front: on SQLite the write transaction (BEGIN IMMEDIATE)
holds the lock, so max(id) + 1 onwards is ours; on PostgreSQL they come from the table's sequence.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Table, func, select
from sqlalchemy.engine import Connection

from bluelamp.db.base import UTCDateTime

Convert = Callable[[Any], Any]


class RawJSON(str):
    """A value that is already JSON text: written as it is, not encoded again."""


def _sqlite_datetime(value: datetime | None) -> str | None:
    """The text SQLAlchemy stores for a UTC timestamp on SQLite: '2026-03-01 21:14:05.000000'."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _json(value: Any) -> str | None:
    if value is None or isinstance(value, RawJSON):
        return value
    return json.dumps(value)


def _identity(text: Any) -> Any:
    return text


def _jsonb(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    if value is None:
        return None
    if isinstance(value, RawJSON):
        return Jsonb(value, dumps=_identity)
    return Jsonb(value)


def _bool(value: Any) -> int | None:
    return None if value is None else int(bool(value))


def _same(value: Any) -> Any:
    return value


def _converters(table: Table, columns: Sequence[str], dialect: str) -> list[Convert]:
    out: list[Convert] = []
    for name in columns:
        ctype = table.c[name].type
        if dialect == "postgresql":
            out.append(_jsonb if isinstance(ctype, JSON) else _same)
        elif isinstance(ctype, UTCDateTime):
            out.append(_sqlite_datetime)
        elif isinstance(ctype, JSON):
            out.append(_json)
        elif isinstance(ctype, Date):
            out.append(_sqlite_date)
        elif isinstance(ctype, Boolean):
            out.append(_bool)
        else:
            out.append(_same)
    return out


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) in one executemany."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = conn.dialect.name
    convert = _converters(table, columns, dialect)
    pairs = list(zip(columns, convert, strict=True))
    if dialect == "postgresql":
        # COPY is many times faster than INSERT for this many rows; same transaction, same connection.
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(tuple(f(row[c]) for c, f in pairs))
        return
    mark = "?"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join(mark for _ in columns)})")
    values = [tuple(f(row[c]) for c, f in pairs) for row in rows]
    conn.exec_driver_sql(sql, values)  # type: ignore[arg-type]


def insert_with_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Give each row a new id, insert them all, and return the ids in the order of the rows."""
    ids = reserve_ids(conn, table, len(rows))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    insert_rows(conn, table, rows)
    return ids


def reserve_ids(conn: Connection, table: Table, n: int) -> list[int]:
    if n == 0:
        return []
    if conn.dialect.name == "postgresql":
        result = conn.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, %s)", (n,))
        return [int(r[0]) for r in result]
    start = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
    return list(range(start, start + n))
