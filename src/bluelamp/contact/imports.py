"""Bulk creation of contacts imported from another system (a CAD export): no triage, no matching.

Imported contacts are history, not live calls: they keep the source's own grading (recorded in the
`proposal` so an inspector can see where the grade came from) and are stored as already decided.
Rows go in with one multi-row INSERT per chunk, not one ORM object each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select, text
from sqlalchemy.orm import Session

from bluelamp.contact.store import Contact

GRADE_NAMES = {1: "emergency", 2: "priority", 3: "scheduled", 4: "resolve_without_deployment"}
IMPORT_POLICY_VERSION = "import"


def imported_contact_row(*, source: str, external_ref: str, agency: str, channel: str, received_at: datetime,
                         narrative: str, grade: int, route: str, attend_by: datetime | None, reason: str,
                         urban: bool = True, area: str | None = None, lat: float | None = None,
                         lon: float | None = None, recorded_by: str) -> dict[str, Any]:
    """The column values of one imported contact, ready for `insert_imported`."""
    proposal = {"grade": grade, "grade_name": GRADE_NAMES.get(grade, str(grade)), "route": route, "flags": [],
                "attend_by": attend_by.isoformat().replace("+00:00", "Z") if attend_by else None,
                "thrive": None, "referrals": [], "reasons": [reason], "policy_version": IMPORT_POLICY_VERSION}
    return {"channel": channel[:16], "agency": agency, "source": source, "external_ref": external_ref,
            "received_at": received_at, "answered_at": None, "narrative": narrative, "lat": lat, "lon": lon,
            "location_description": None, "urban": urban, "area": area, "answers": {}, "proposal": proposal,
            "grade": grade, "route": route, "flags": [], "policy_version": IMPORT_POLICY_VERSION,
            "household": [], "status": "decided", "decision": None, "recorded_by": recorded_by}


def copy_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """PostgreSQL: stream rows with COPY (many times faster than multi-row INSERTs for big imports).

    Values go through each column's SQLAlchemy type first (UTC timestamps, JSON text), exactly as an
    INSERT would bind them.
    """
    columns = list(rows[0])
    dialect = session.get_bind().dialect
    processors = [table.c[c].type._cached_bind_processor(dialect) for c in columns]  # noqa: SLF001
    cols = ", ".join(f'"{c}"' for c in columns)
    raw: Any = session.connection().connection.dbapi_connection
    cur = raw.cursor()
    try:
        with cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([p(row[c]) if p else row[c] for c, p in zip(columns, processors, strict=True)])
    finally:
        cur.close()


def insert_imported(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert contacts in bulk; returns their ids in the order of `rows`.

    On PostgreSQL ids are drawn from the table's sequence and the rows streamed with COPY. Elsewhere
    one multi-row INSERT ... RETURNING; every row of one call has the same source and a distinct
    external_ref, so ids are matched back by external_ref (asking the database to keep the order
    would make SQLite insert row by row).
    """
    if not rows:
        return []
    table: Table = Contact.__table__  # type: ignore[assignment]
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.execute(
            text("SELECT nextval(pg_get_serial_sequence('contact', 'id')) FROM generate_series(1, :n)"),
            {"n": len(rows)}).scalars())
        copy_insert(session, table, [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
        return ids
    result = session.execute(insert(table).returning(table.c.id, table.c.external_ref), list(rows))
    by_ref = {ref: cid for cid, ref in result}
    if len(by_ref) != len(rows):
        raise ValueError("imported contacts need distinct external references")
    return [by_ref[r["external_ref"]] for r in rows]


def existing_refs(session: Session, source: str) -> set[str]:
    """External references already imported from this source."""
    return {r for (r,) in session.execute(
        select(Contact.external_ref).where(Contact.source == source, Contact.external_ref.is_not(None)))
        if r is not None}
