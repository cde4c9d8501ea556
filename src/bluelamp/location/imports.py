"""Imports: the gazetteer (OS Open Names, Code-Point Open) and data.police.uk street-level crime.

Each import is idempotent (a row already imported is `already_present`), rejects a bad row with its
line number and reason on stderr (never its content: addresses can be personal), and ends with
`{"rows", "imported", "rejected", "already_present"}`. A file-level problem imports nothing.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bluelamp.audit import service as audit
from bluelamp.location.model import in_uk, postcode_key
from bluelamp.location.store import GazetteerEntry, StreetCrime
from bluelamp.response.importers.runner import ImportSummary

CHUNK = 2000

# OS Open Names CSV files have no header row; these are the product's columns in order.
OPEN_NAMES_COLUMNS = (
    "ID", "NAMES_URI", "NAME1", "NAME1_LANG", "NAME2", "NAME2_LANG", "TYPE", "LOCAL_TYPE", "GEOMETRY_X",
    "GEOMETRY_Y", "MOST_DETAIL_VIEW_RES", "LEAST_DETAIL_VIEW_RES", "MBR_XMIN", "MBR_YMIN", "MBR_XMAX", "MBR_YMAX",
    "POSTCODE_DISTRICT", "POSTCODE_DISTRICT_URI", "POPULATED_PLACE", "POPULATED_PLACE_URI", "POPULATED_PLACE_TYPE",
    "DISTRICT_BOROUGH", "DISTRICT_BOROUGH_URI", "DISTRICT_BOROUGH_TYPE", "COUNTY_UNITARY", "COUNTY_UNITARY_URI",
    "COUNTY_UNITARY_TYPE", "REGION", "REGION_URI", "COUNTRY", "COUNTRY_URI", "RELATED_SPATIAL_OBJECT",
    "SAME_AS_DBPEDIA", "SAME_AS_GEONAMES",
)
CODE_POINT_COLUMNS = ("Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Country_code",
                      "NHS_regional_HA_code", "NHS_HA_code", "Admin_county_code", "Admin_district_code",
                      "Admin_ward_code")
STREET_COLUMNS = ("Crime ID", "Month", "Longitude", "Latitude", "Location", "LSOA code", "LSOA name", "Crime type",
                  "Last outcome category")
FORMATS = ("os-open-names", "code-point-open")


class FileError(ValueError):
    """The file cannot be imported at all (unreadable, wrong columns)."""


@dataclass
class Summary(ImportSummary):
    """The import summary every `bluelamp import` prints, and a rejected row named on stderr."""

    def reject(self, where: str, line: int, why: str) -> None:
        self.rejected += 1
        print(f"{where}:{line}: rejected: {why}", file=sys.stderr)


def _open_text(path: Path) -> io.TextIOBase:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileError(f"cannot read the file ({exc.strerror})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise FileError(f"not a readable gzip file ({exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError("not UTF-8 text") from None
    return io.StringIO(text, newline="")


def _rows(path: Path, columns: tuple[str, ...], header_first: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as dicts; the product's columns are assumed when the file has no header row."""
    reader = csv.reader(_open_text(path))
    first = next(reader, None)
    if first is None:
        return
    if first and first[0].strip().lstrip("\ufeff") == header_first:
        names = [c.strip() for c in first]
        missing = [c for c in columns if c not in names]
        if missing:
            raise FileError(f"missing column {missing[0]!r}")
    else:
        names = list(columns)
        yield 1, dict(zip(names, first, strict=False))
    for n, row in enumerate(reader, start=2):
        yield n, dict(zip(names, row, strict=False))


def _to_wgs84(e: str, n: str, names: str) -> tuple[float, float]:
    from bluelamp.location.grid import grid_to_wgs84
    from bluelamp.location.model import GridPoint

    try:
        point = GridPoint(float(e), float(n), 1.0)
    except (TypeError, ValueError):
        raise ValueError(f"{names}: not numbers") from None
    lat, lon = grid_to_wgs84(point)
    if not in_uk(lat, lon):
        raise ValueError(f"{names}: outside the UK")
    return lat, lon


def _gazetteer_row(fmt: str, row: dict[str, str]) -> dict[str, Any]:
    if fmt == "code-point-open":
        pc = postcode_key(row.get("Postcode", ""))
        if pc is None or " " not in pc:
            raise ValueError("Postcode: not a full postcode")
        lat, lon = _to_wgs84(row.get("Eastings", ""), row.get("Northings", ""), "Eastings/Northings")
        return {"external_id": pc, "kind": "postcode", "name": pc, "locality": None, "postcode": pc,
                "lat": lat, "lon": lon}
    name = (row.get("NAME1") or "").strip()
    if not name or not (row.get("ID") or "").strip():
        raise ValueError("NAME1 and ID are required")
    local = (row.get("LOCAL_TYPE") or "").strip()
    kind = ("postcode" if local == "Postcode" else "street" if row.get("TYPE") == "transportNetwork"
            else "place" if row.get("TYPE") == "populatedPlace" else "landmark")
    lat, lon = _to_wgs84(row.get("GEOMETRY_X", ""), row.get("GEOMETRY_Y", ""), "GEOMETRY_X/GEOMETRY_Y")
    locality = (row.get("POPULATED_PLACE") or row.get("DISTRICT_BOROUGH") or "").strip() or None
    pc = postcode_key(name) if kind == "postcode" else postcode_key(row.get("POSTCODE_DISTRICT") or "")
    return {"external_id": row["ID"].strip()[:64], "kind": kind, "name": name[:200],
            "locality": locality[:120] if locality else None, "postcode": pc, "lat": lat, "lon": lon}


def import_gazetteer(db: Any, path: Path, fmt: str, actor: str = "system:import") -> Summary:
    if fmt not in FORMATS:
        raise FileError(f"--format must be one of {', '.join(FORMATS)}")
    columns, first = (CODE_POINT_COLUMNS, "Postcode") if fmt == "code-point-open" else (OPEN_NAMES_COLUMNS, "ID")
    summary = Summary()
    batch: list[dict[str, Any]] = []
    for line, row in _rows(path, columns, first):
        summary.rows += 1
        try:
            batch.append({"source": fmt, **_gazetteer_row(fmt, row)})
        except (ValueError, KeyError) as exc:
            summary.reject(path.name, line, str(exc))
        if len(batch) >= CHUNK:
            _store(db, GazetteerEntry, GazetteerEntry.external_id, "external_id", batch, summary, fmt)
            batch = []
    _store(db, GazetteerEntry, GazetteerEntry.external_id, "external_id", batch, summary, fmt)
    with db.unit_of_work() as session:
        audit.record(session, actor, "gazetteer.imported", "gazetteer", None,
                     after={"file": path.name, "format": fmt, **summary.to_dict()})
    return summary


def _store(db: Any, table: Any, key_col: Any, key: str, batch: list[dict[str, Any]], summary: Summary,
           source: str | None) -> None:
    if not batch:
        return
    seen: dict[str, dict[str, Any]] = {}
    for item in batch:
        if item[key] in seen:
            summary.already_present += 1  # twice in this run
        else:
            seen[item[key]] = item
    with db.unit_of_work() as session:
        query = select(key_col).where(key_col.in_(list(seen)))
        if source is not None:
            query = query.where(table.source == source)
        present = {k for (k,) in session.execute(query)}
        new = [v for k, v in seen.items() if k not in present]
        summary.already_present += len(present)
        if new:
            session.execute(insert(table), new)
        summary.imported += len(new)


def _street_row(row: dict[str, str], occurrence: dict[str, int], area_of: Any) -> dict[str, Any]:
    from bluelamp.location.hotspots import cell_of

    month_text = (row.get("Month") or "").strip()
    try:
        year, month = (int(x) for x in month_text.split("-"))
        month_day = date(year, month, 1)
    except ValueError:
        raise ValueError("Month: not YYYY-MM") from None
    crime_type = (row.get("Crime type") or "").strip()
    if not crime_type:
        raise ValueError("Crime type is empty")
    lat = lon = None
    if (row.get("Latitude") or "").strip() and (row.get("Longitude") or "").strip():
        try:
            lat, lon = float(row["Latitude"]), float(row["Longitude"])
        except ValueError:
            raise ValueError("Latitude/Longitude: not numbers") from None
        if not in_uk(lat, lon):
            raise ValueError("Latitude/Longitude: outside the UK")
    crime_id = (row.get("Crime ID") or "").strip()
    if crime_id:
        key = crime_id[:64]
    else:  # anti-social behaviour has no ID: the row's content and its occurrence in the file
        digest = hashlib.sha256("|".join(row.get(c, "") for c in STREET_COLUMNS).encode()).hexdigest()[:40]
        occurrence[digest] = occurrence.get(digest, 0) + 1
        key = f"asb:{digest}:{occurrence[digest]}"
    area = area_of(lat, lon) if lat is not None and lon is not None else None
    return {"row_key": key, "month": month_day, "crime_type": crime_type[:64], "lat": lat, "lon": lon,
            "location": (row.get("Location") or "")[:200] or None, "lsoa_code": (row.get("LSOA code") or None),
            "lsoa_name": (row.get("LSOA name") or "")[:120] or None,
            "outcome": (row.get("Last outcome category") or "")[:200] or None, "area": area,
            "h3_cell": cell_of(lat, lon) if lat is not None and lon is not None else None}


def import_street_crime(db: Any, paths: list[Path], actor: str = "system:import") -> Summary:
    """data.police.uk street-level crime CSV (or CSV.GZ) files, each checked for its columns first."""
    for path in paths:  # a file-level problem in any file imports nothing
        reader = csv.reader(_open_text(path))
        header = [c.strip() for c in next(reader, [])]
        missing = [c for c in STREET_COLUMNS if c not in header]
        if missing:
            raise FileError(f"{path.name}: missing column {missing[0]!r} (not a data.police.uk street-level file)")
    from bluelamp.location import boundaries
    from bluelamp.location.service import place_in

    summary = Summary()
    with db.unit_of_work(write=False) as session:  # the force's boundaries, read once for the whole import
        index = boundaries.index(session)

    def area_of(lat: float, lon: float) -> str | None:
        return place_in(index, lat, lon).area

    _import_street_files(db, paths, summary, area_of)
    with db.unit_of_work() as session:
        audit.record(session, actor, "street_crime.imported", "street_crime", None,
                     after={"files": [p.name for p in paths], **summary.to_dict()})
    return summary


def _import_street_files(db: Any, paths: list[Path], summary: Summary, area_of: Any) -> None:
    for path in paths:
        occurrence: dict[str, int] = {}
        batch: list[dict[str, Any]] = []
        for line, row in _rows(path, STREET_COLUMNS, "Crime ID"):
            summary.rows += 1
            try:
                batch.append(_street_row(row, occurrence, area_of))
            except ValueError as exc:
                summary.reject(path.name, line, str(exc))
            if len(batch) >= CHUNK:
                _store(db, StreetCrime, StreetCrime.row_key, "row_key", batch, summary, None)
                batch = []
        _store(db, StreetCrime, StreetCrime.row_key, "row_key", batch, summary, None)
