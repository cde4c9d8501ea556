"""Monthly range partitions on PostgreSQL for the tables that grow with demand (docs/scaling.md).

The tables in `PARTITIONED` are split by month of their time column. PostgreSQL needs the partition
key in every primary key and unique constraint, and cannot point a foreign key at a partitioned table
unless the key is in it too; so partitioning a table here

- widens its primary key and unique constraints by the key column (`(id)` becomes `(id, received_at)`;
  ids stay unique because they come from the same sequence, which the new table keeps),
- drops the foreign keys that point at it (the services only ever link to records they have just read
  or created, and nothing deletes contacts or incidents, so no cascade is lost),
- keeps every other index, default and check, and saves the original definitions in
  `part_saved_ddl`, so that the downgrade restores the table exactly as it was.

Every month has its own partition, and a default partition takes anything no month holds (very old
rows, or a month not yet created), so no insert is ever refused. `ensure_ahead` creates the coming
months (the daily job `db.partitions` and `bluelamp db partitions`); a month created late takes its rows
out of the default partition. SQLite has no partitioning: every function here is a no-op there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date

from sqlalchemy import text
from sqlalchemy.engine import Connection

# table -> its partition key (a timestamp column that every row has and that never moves far)
PARTITIONED: dict[str, str] = {
    "contact": "received_at",
    "incident": "received_at",
    "tel_call_event": "at",
    "audit_entry": "at",
}
AHEAD_MONTHS = 3  # months created ahead of time, after the current one
BACK_MONTHS = 60  # older rows go to the default partition rather than to hundreds of small ones
SAVED = "part_saved_ddl"


@dataclass(frozen=True)
class Partition:
    """One partition of a table: its name and the month it holds (None: the default partition)."""

    name: str
    month: date | None
    rows: int | None = None


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y_%m}"


def default_name(table: str) -> str:
    return f"{table}_pdefault"


def is_partitioned(conn: Connection, table: str) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    found = conn.execute(text("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                              "WHERE c.relname = :t AND c.relnamespace = 'public'::regnamespace"), {"t": table})
    return found.first() is not None


def partitions(conn: Connection, table: str, counts: bool = False) -> list[Partition]:
    """The partitions of a table, months in order then the default one (with row counts if asked)."""
    rows = conn.execute(text(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = CAST(:t AS regclass) ORDER BY c.relname"),
        {"t": table}).all()
    out = []
    for name, bound in rows:
        month = None if bound == "DEFAULT" else date.fromisoformat(name[-7:].replace("_", "-") + "-01")
        n = conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() if counts else None
        out.append(Partition(name, month, n))
    return sorted(out, key=lambda p: (p.month is None, p.month or date.min))


def _create_month(conn: Connection, table: str, key: str, month: date) -> bool:
    """Create one month's partition; rows of that month already in the default partition move into it."""
    name = partition_name(table, month)
    if conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None:
        return False
    lo, hi = month.isoformat(), add_months(month, 1).isoformat()
    bound = f"FROM ('{lo} 00:00+00') TO ('{hi} 00:00+00')"
    default = default_name(table)
    has_default = conn.execute(text("SELECT to_regclass(:n)"), {"n": default}).scalar() is not None
    if not has_default:
        conn.execute(text(f'CREATE TABLE "{name}" PARTITION OF "{table}" FOR VALUES {bound}'))
        return True
    # Built beside the table and attached once filled: attaching checks the default partition holds
    # nothing of this month any more, which the move has just made true.
    conn.execute(text(f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'))
    conn.execute(text(
        f'WITH moved AS (DELETE FROM "{default}" WHERE "{key}" >= :lo AND "{key}" < :hi RETURNING *) '
        f'INSERT INTO "{name}" SELECT * FROM moved'), {"lo": f"{lo} 00:00+00", "hi": f"{hi} 00:00+00"})
    conn.execute(text(f'ALTER TABLE "{table}" ATTACH PARTITION "{name}" FOR VALUES {bound}'))
    return True


def ensure_ahead(conn: Connection, today: date, ahead: int = AHEAD_MONTHS,
                 tables: Iterable[str] | None = None) -> list[str]:
    """Create this month's and the next `ahead` months' partitions where missing; returns their names."""
    if conn.dialect.name != "postgresql":
        return []
    created = []
    # A short lock wait: a busy table makes the job retry later rather than queue writers behind it.
    conn.execute(text("SET LOCAL lock_timeout = '2s'"))
    for table in tables or PARTITIONED:
        if not is_partitioned(conn, table):
            continue
        for n in range(ahead + 1):
            month = add_months(month_start(today), n)
            if _create_month(conn, table, PARTITIONED[table], month):
                created.append(partition_name(table, month))
    return created


# --- the migration: partition a populated table, and back ---------------------------------------------

def _save(conn: Connection, table: str, kind: str, name: str, on_table: str, ddl: str) -> None:
    conn.execute(text(f"INSERT INTO {SAVED} (tbl, kind, name, on_table, ddl) VALUES (:t, :k, :n, :o, :d)"),
                 {"t": table, "k": kind, "n": name, "o": on_table, "d": ddl})


def _constraints(conn: Connection, table: str) -> list[tuple[str, str, str]]:
    return [(str(r[0]), str(r[1]), str(r[2])) for r in conn.execute(text(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'u', 'f') ORDER BY conname"), {"t": table})]


def _plain_indexes(conn: Connection, table: str) -> list[tuple[str, str, bool]]:
    """Indexes that are not a constraint's own: (name, definition, unique)."""
    return [(str(r[0]), str(r[1]), bool(r[2])) for r in conn.execute(text(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisunique FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = CAST(:t AS regclass) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname"),
        {"t": table})]


def _foreign_keys_into(conn: Connection, tables: Iterable[str]) -> list[tuple[str, str, str]]:
    """Foreign keys that point at any of the tables: (name, on table, definition)."""
    return [(str(r[0]), str(r[1]), str(r[2])) for r in conn.execute(text(
        "SELECT k.conname, r.relname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
        "JOIN pg_class r ON r.oid = k.conrelid JOIN pg_class t ON t.oid = k.confrelid "
        "WHERE k.contype = 'f' AND t.relname = ANY(:tables) AND t.relnamespace = 'public'::regnamespace "
        "ORDER BY r.relname, k.conname"), {"tables": list(tables)})]


def _owned_sequences(conn: Connection, table: str) -> list[tuple[str, str]]:
    """(sequence, column) for each serial column of the table."""
    rows = conn.execute(text(
        "SELECT a.attname, pg_get_serial_sequence(:t, a.attname) FROM pg_attribute a "
        "WHERE a.attrelid = CAST(:t AS regclass) AND a.attnum > 0 AND NOT a.attisdropped"), {"t": table})
    return [(str(seq), str(col)) for col, seq in rows if seq]


def _swap(conn: Connection, table: str, new: str) -> None:
    """Replace `table` by the filled `new`, keeping its serial sequences (and so its ids)."""
    sequences = _owned_sequences(conn, table)
    for seq, _col in sequences:
        conn.execute(text(f"ALTER SEQUENCE {seq} OWNED BY NONE"))
    conn.execute(text(f'DROP TABLE "{table}"'))
    conn.execute(text(f'ALTER TABLE "{new}" RENAME TO "{table}"'))
    for seq, col in sequences:
        conn.execute(text(f'ALTER SEQUENCE {seq} OWNED BY "{table}".{col}'))


def _month_range(conn: Connection, table: str, key: str, today: date, ahead: int) -> list[date]:
    oldest = conn.execute(text(f'SELECT min("{key}") FROM "{table}"')).scalar()
    first = month_start(today) if oldest is None else month_start(oldest.astimezone(UTC).date())
    first = max(first, add_months(month_start(today), -BACK_MONTHS))
    last = add_months(month_start(today), ahead)
    months = []
    while first <= last:
        months.append(first)
        first = add_months(first, 1)
    return months


def partition_table(conn: Connection, table: str, key: str, today: date, ahead: int = AHEAD_MONTHS) -> None:
    """Turn a populated table into one partitioned by month of `key`; the same rows, ids and indexes."""
    identity = conn.execute(text("SELECT count(*) FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) "
                                 "AND attidentity <> ''"), {"t": table}).scalar_one()
    if identity:
        raise RuntimeError(f"{table}: identity columns are not handled (serial columns are)")
    new = f"{table}__part"
    conn.execute(text(f'CREATE TABLE "{new}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
                      f'INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ("{key}")'))
    for month in _month_range(conn, table, key, today, ahead):
        lo, hi = month.isoformat(), add_months(month, 1).isoformat()
        conn.execute(text(f'CREATE TABLE "{partition_name(table, month)}" PARTITION OF "{new}" '
                          f"FOR VALUES FROM ('{lo} 00:00+00') TO ('{hi} 00:00+00')"))
    conn.execute(text(f'CREATE TABLE "{default_name(table)}" PARTITION OF "{new}" DEFAULT'))
    conn.execute(text(f'INSERT INTO "{new}" SELECT * FROM "{table}"'))
    constraints = _constraints(conn, table)
    indexes = _plain_indexes(conn, table)
    for name, _kind, ddl in constraints:
        _save(conn, table, "constraint", name, table, ddl)
    for name, ddl, unique in indexes:
        if unique:
            raise RuntimeError(f"{table}: unique index {name} would need the partition key; not handled")
        _save(conn, table, "index", name, table, ddl)
    _swap(conn, table, new)
    for name, kind, ddl in constraints:
        columns = ddl[ddl.index("(") + 1:ddl.index(")")]
        if kind in ("p", "u"):
            named = [c.strip().strip('"') for c in columns.split(",")]
            wide = columns if key in named else f'{columns}, "{key}"'
            word = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            conn.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {word} ({wide})'))
        else:  # a foreign key to a plain table (those into partitioned tables were dropped before)
            conn.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {ddl}'))
    for _name, ddl, _unique in indexes:
        conn.execute(text(ddl))


def unpartition_table(conn: Connection, table: str) -> None:
    """Turn a partitioned table back into one plain table with its original constraints and indexes."""
    new = f"{table}__plain"
    conn.execute(text(f'CREATE TABLE "{new}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
                      f'INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS)'))
    conn.execute(text(f'INSERT INTO "{new}" SELECT * FROM "{table}"'))
    _swap(conn, table, new)
    saved = conn.execute(text(f"SELECT kind, name, ddl FROM {SAVED} WHERE tbl = :t AND kind IN "
                              "('constraint', 'index') ORDER BY id"), {"t": table}).all()
    # keys first (LIKE copies no keys), then the plain indexes; foreign keys into the partitioned
    # tables come back in unpartition_all, once every table is plain again
    for kind, name, ddl in sorted(saved, key=lambda r: r[0] == "index"):
        if kind == "constraint":
            conn.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {ddl}'))
        else:
            conn.execute(text(ddl))


def partition_all(conn: Connection, today: date, ahead: int = AHEAD_MONTHS) -> None:
    """The migration's upgrade: partition every table in PARTITIONED (PostgreSQL only)."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text(f"CREATE TABLE {SAVED} (id serial PRIMARY KEY, tbl text NOT NULL, kind text NOT NULL, "
                      "name text NOT NULL, on_table text NOT NULL, ddl text NOT NULL)"))
    for name, on_table, ddl in _foreign_keys_into(conn, PARTITIONED):
        _save(conn, on_table, "foreign_key_in", name, on_table, ddl)
        conn.execute(text(f'ALTER TABLE "{on_table}" DROP CONSTRAINT "{name}"'))
    for table, key in PARTITIONED.items():
        partition_table(conn, table, key, today, ahead)


def unpartition_all(conn: Connection) -> None:
    """The migration's downgrade: every table back as it was, with the foreign keys into it."""
    if conn.dialect.name != "postgresql":
        return
    for table in PARTITIONED:
        if is_partitioned(conn, table):
            unpartition_table(conn, table)
    for name, on_table, ddl in conn.execute(text(
            f"SELECT name, on_table, ddl FROM {SAVED} WHERE kind = 'foreign_key_in' ORDER BY id")).all():
        conn.execute(text(f'ALTER TABLE "{on_table}" ADD CONSTRAINT "{name}" {ddl}'))
    conn.execute(text(f"DROP TABLE {SAVED}"))
