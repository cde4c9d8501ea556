"""Read a CAD export (CSV or CSV.GZ) through an adapter and store it as contacts and incidents.

All or nothing at file level: the whole import is one transaction, so a file-level problem found
half-way (a byte that is not UTF-8, a damaged gzip stream) leaves nothing behind. Row problems reject
that row only, with the reason written to `err`. Rows go in by chunks of multi-row INSERTs.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import sys
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bluelamp.audit import service as audit
from bluelamp.contact import imports as contact_imports
from bluelamp.db.engine import Database
from bluelamp.response.importers.base import Adapter, CadRecord, FileError, RowError
from bluelamp.response.store import Incident

CHUNK = 2000
csv.field_size_limit(1 << 20)


@dataclass
class ImportSummary:
    """The last line `bluelamp import cad` prints: rows = imported + rejected + already_present."""

    rows: int = 0
    imported: int = 0
    rejected: int = 0
    already_present: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def adapter_for(fmt: str, tz: str | None = None, grade_map: str | None = None) -> Adapter:
    from bluelamp.response.importers import ADAPTERS

    try:
        cls = ADAPTERS[fmt]
    except KeyError:
        raise FileError(f"unknown format {fmt!r}; known formats: {', '.join(sorted(ADAPTERS))}") from None
    return cls(tz=tz, grade_map=grade_map)


def _open_text(path: Path) -> IO[str]:
    raw = open(path, "rb")  # noqa: SIM115 - closed through the wrapper
    magic = raw.read(2)
    raw.seek(0)
    stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw)
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")


def _rows(path: Path, adapter: Adapter) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line, row) for each data row, or (line, reason) when the row's shape is wrong."""
    try:
        with _open_text(path) as text:
            reader = csv.reader(text)
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                raise FileError("the file is empty: no header row")
            header = [h.strip() for h in header]
            adapter.check_header(header)
            width = len(header)
            for values in reader:
                if not values:
                    continue
                if len(values) != width:
                    yield reader.line_num, f"the row has {len(values)} fields, the header has {width}"
                    continue
                yield reader.line_num, dict(zip(header, values, strict=True))
    except UnicodeDecodeError as exc:
        raise FileError(f"the file is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} cannot be read): "
                        "export it as UTF-8") from None
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise FileError(f"the gzip file is damaged: {exc}") from None
    except csv.Error as exc:
        raise FileError(f"the file is not a readable CSV: {exc}") from None


def import_cad(db: Database, path: str | Path, fmt: str = "decc", tz: str | None = None,
               grade_map: str | None = None, err: IO[str] | None = None, actor: str = "cli",
               chunk: int = CHUNK) -> ImportSummary:
    """Import one export; returns the counts. Raises FileError when nothing could be imported."""
    err = err or sys.stderr
    path = Path(path)
    if not path.is_file():
        raise FileError(f"no such file: {path}")
    adapter = adapter_for(fmt, tz, grade_map)
    source = f"import:{adapter.name}"
    summary = ImportSummary()
    try:
        with db.unit_of_work() as session:
            seen = _already_imported(session, source)
            batch: list[CadRecord] = []
            for line, row in _rows(path, adapter):
                summary.rows += 1
                try:
                    if isinstance(row, str):
                        raise RowError(row)
                    record = adapter.parse(row)
                except RowError as exc:
                    summary.rejected += 1
                    ref = row.get("Master_Incident_Number", "") if isinstance(row, dict) else ""
                    print(f"line {line}: {ref.strip() or '-'}: rejected: {exc}", file=err)
                    continue
                if record.external_ref in seen:
                    summary.already_present += 1
                    continue
                seen.add(record.external_ref)
                batch.append(record)
                if len(batch) >= chunk:
                    summary.imported += _store(session, batch, adapter, source, actor)
                    batch = []
            summary.imported += _store(session, batch, adapter, source, actor)
            audit.record(session, actor, "cad.imported", "import", f"{source}:{_digest(path)}", after={
                "file": path.name, "format": adapter.name, "tz": adapter.zone.key,
                "grade_map": adapter.grades.spec, **summary.to_dict(),
            })
    except IntegrityError:
        raise FileError("another import of the same incidents ran at the same time; nothing was imported, "
                        "run it again") from None
    return summary


def _already_imported(session: Session, source: str) -> set[str]:
    refs = contact_imports.existing_refs(session, source)
    refs.update(r for (r,) in session.execute(
        select(Incident.external_ref).where(Incident.source == source, Incident.external_ref.is_not(None)))
        if r is not None)
    return refs


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def _targets() -> dict[tuple[int, bool], timedelta | None]:
    from bluelamp.policy import load_policy

    grades = load_policy().grades
    out: dict[tuple[int, bool], timedelta | None] = {}
    for g in (1, 2, 3, 4):
        for urban in (True, False):
            minutes = grades.get(g).target_minutes(urban)
            out[(g, urban)] = timedelta(minutes=minutes) if minutes is not None else None
    return out


def _store(session: Session, batch: list[CadRecord], adapter: Adapter, source: str, actor: str) -> int:
    """Insert a chunk: contacts first (ids returned in order), then their incidents."""
    if not batch:
        return 0
    targets = _targets()
    recorded_by = f"import:{actor}"
    contacts: list[dict[str, Any]] = []
    attend: list[Any] = []
    for r in batch:
        target = targets[(r.grade, r.urban)]
        attend_by = r.received_at + target if target is not None else None
        attend.append(attend_by)
        reason = (f"imported from {adapter.name}: {r.agency} priority {r.source_priority or 'none'} "
                  f"-> grade {r.grade} (mapping {adapter.grades.spec})")
        contacts.append(contact_imports.imported_contact_row(
            source=source, external_ref=r.external_ref, agency=r.agency, channel=r.channel,
            received_at=r.received_at, narrative=r.call_type or "(no call type in the export)", grade=r.grade,
            route="deploy", attend_by=attend_by, reason=reason, urban=r.urban, area=r.area, lat=r.lat, lon=r.lon,
            recorded_by=recorded_by))
    ids = contact_imports.insert_imported(session, contacts)
    incidents = []
    for r, contact_id, attend_by in zip(batch, ids, attend, strict=True):
        extra = {k: v for k, v in r.extra.items() if v is not None}
        if r.closed_at is None:
            extra["closed_at_unknown"] = True
        incidents.append({
            "contact_id": contact_id, "agency": r.agency, "source": source, "external_ref": r.external_ref,
            "grade": r.grade, "status": "closed", "flags": [], "urban": r.urban, "lat": r.lat, "lon": r.lon,
            "location_description": None, "area": r.area, "received_at": r.received_at, "attend_by": attend_by,
            "dispatched_at": r.dispatched_at, "enroute_at": r.enroute_at, "arrived_at": r.arrived_at,
            "closed_at": r.closed_at, "extra": extra, "queued_at": r.queued_at, "call_type": r.call_type,
            "source_priority": r.source_priority,
        })
    table: Table = Incident.__table__  # type: ignore[assignment]
    if session.get_bind().dialect.name == "postgresql":
        contact_imports.copy_insert(session, table, incidents)
    else:
        session.execute(insert(table), incidents)
    return len(batch)
