"""The force's area boundaries: `bluelamp import boundaries`, and which boundaries a position lies in.

A force loads its policing areas, beats, neighbourhoods or LSOAs from a GeoJSON FeatureCollection of
Polygon/MultiPolygon features, in WGS84 or British National Grid, naming which property holds each
boundary's code and name (and, where the file has one, whether it is urban). The whole file is
checked before anything is written: one bad feature (not a polygon, empty, self-intersecting, an
unknown CRS, a missing code) refuses the file, so a set with a hole in it is never half-loaded.

A position's area is the `area` layer boundary it lies in; its beat the `beat` boundary; urban or
rural comes from the finest layer that says (lsoa, then neighbourhood, beat, area).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.location import geometry
from bluelamp.location.geometry import GeometryError
from bluelamp.location.store import AreaBoundary
from bluelamp.response.importers.runner import ImportSummary

LAYERS = ("area", "beat", "neighbourhood", "lsoa")
URBAN_ORDER = ("lsoa", "neighbourhood", "beat", "area")  # finest first
FORMATS = ("geojson",)
MAX_BYTES = 200 * 1024 * 1024
# ONS rural-urban classifications: 2011 codes A1-C2 urban, D1-E2 rural; 2021 codes begin U or R.
_RUC11 = {"A1": True, "B1": True, "C1": True, "C2": True, "D1": False, "D2": False, "E1": False, "E2": False}


class FileError(ValueError):
    """The file cannot be imported (the message names the feature and the problem); nothing is written."""


@dataclass(frozen=True)
class Options:
    layer: str = "area"
    code_property: str = "code"
    name_property: str = "name"
    urban_property: str | None = None
    crs: str | None = None  # overrides the file's own crs member


def urban_value(value: Any) -> bool | None:
    """true/false, "urban"/"rural" (or a description beginning so), or an ONS rural-urban code."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.upper() in _RUC11:
        return _RUC11[text.upper()]
    low = text.lower()
    if low in ("true", "yes", "1") or low.startswith("urban"):
        return True
    if low in ("false", "no", "0") or low.startswith("rural"):
        return False
    if len(text) <= 4 and text[:1].upper() in "UR" and text[1:2].isalpha():  # RUC21: UN1, UF1, RSN1, RLF1 ...
        return text[0].upper() == "U"
    raise ValueError(f"not urban or rural: {text[:40]!r}")


def read(path: Path, opts: Options) -> list[dict[str, Any]]:
    """Every feature of the file as a row of `area_boundary` (without times), checked; FileError if any fails."""
    if opts.layer not in LAYERS:
        raise FileError(f"--layer must be one of {', '.join(LAYERS)}")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise FileError(f"larger than {MAX_BYTES // 2**20} MiB")
        doc = json.loads(path.read_bytes())
    except OSError as exc:
        raise FileError(f"cannot read the file ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileError(f"not GeoJSON: not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise FileError("not GeoJSON: a boundary file is a FeatureCollection with a features list")
    try:
        crs = geometry.crs_of(opts.crs) if opts.crs else (geometry.file_crs(doc) or geometry.WGS84)
    except GeometryError as exc:
        raise FileError(str(exc)) from None
    if not doc["features"]:
        raise FileError("the FeatureCollection has no features")
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, feature in enumerate(doc["features"], start=1):
        try:
            row = _row(feature, opts, crs)
        except (GeometryError, ValueError) as exc:
            raise FileError(f"feature {n}: {exc}") from None
        if row["code"] in seen:
            raise FileError(f"feature {n}: {opts.code_property} {row['code']!r} appears twice in the file")
        seen.add(row["code"])
        rows.append(row)
    return rows


def _row(feature: Any, opts: Options, crs: str) -> dict[str, Any]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("not a GeoJSON Feature")
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError("properties is not an object")
    code, name = props.get(opts.code_property), props.get(opts.name_property)
    if code is None or not str(code).strip():
        raise ValueError(f"no {opts.code_property!r} property (choose it with --code-property)")
    if name is None or not str(name).strip():
        raise ValueError(f"no {opts.name_property!r} property (choose it with --name-property)")
    urban = None
    if opts.urban_property:
        if opts.urban_property not in props:
            raise ValueError(f"no {opts.urban_property!r} property")
        urban = urban_value(props[opts.urban_property])
    rings = geometry.parse(feature.get("geometry"))
    geometry.check(rings)
    shape = geometry.Shape(geometry.to_wgs84(rings, crs))
    x0, y0, x1, y1 = shape.box
    return {"layer": opts.layer, "code": str(code).strip()[:64], "name": str(name).strip()[:120], "urban": urban,
            "geometry": json.dumps(shape.geojson(), separators=(",", ":")),
            "min_lon": x0, "min_lat": y0, "max_lon": x1, "max_lat": y1}


def import_boundaries(db: Any, path: Path, fmt: str, opts: Options, actor: str = "system:import") -> ImportSummary:
    """Import a boundary file in one transaction: new codes inserted, changed ones replaced, same ones kept."""
    if fmt not in FORMATS:
        raise FileError(f"--format must be one of {', '.join(FORMATS)}")
    rows = read(Path(path), opts)
    summary = ImportSummary(rows=len(rows))
    now = clock.now()
    with db.unit_of_work() as session:
        stored = {r.code: r for r in session.execute(
            select(AreaBoundary.code, AreaBoundary.name, AreaBoundary.urban, AreaBoundary.geometry)
            .where(AreaBoundary.layer == opts.layer))}
        fresh, replaced = [], []
        for row in rows:
            old = stored.get(row["code"])
            if old is not None and (old.name, old.urban, old.geometry) == (row["name"], row["urban"], row["geometry"]):
                summary.already_present += 1
                continue
            if old is not None:
                replaced.append(row["code"])
            fresh.append({**row, "source": Path(path).name[:200], "imported_at": now})
        if replaced:
            session.execute(delete(AreaBoundary).where(AreaBoundary.layer == opts.layer,
                                                       AreaBoundary.code.in_(replaced)))
        if fresh:
            session.execute(insert(AreaBoundary), fresh)
        summary.imported = len(fresh)
        audit.record(session, actor, "boundaries.imported", "area_boundary", None, after={
            "file": Path(path).name, "format": fmt, "layer": opts.layer, **summary.to_dict(),
            "replaced": replaced[:200]})
    invalidate()
    return summary


# --- looking a position up ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Boundary:
    layer: str
    code: str
    name: str
    urban: bool | None
    shape: geometry.Compiled


@dataclass(frozen=True)
class Place:
    """The boundaries a position lies in."""

    area: str | None = None
    beat: str | None = None
    urban: bool | None = None

    @property
    def known(self) -> bool:
        return self.area is not None or self.beat is not None or self.urban is not None


class Index:
    """Every stored boundary, with their boxes in arrays so a look-up tests only the few around a point."""

    def __init__(self, boundaries: list[Boundary]) -> None:
        self.boundaries = boundaries
        self.boxes = np.array([b.shape.box for b in boundaries], dtype=float).reshape(-1, 4)

    def __len__(self) -> int:
        return len(self.boundaries)

    def locate(self, lat: float, lon: float) -> Place:
        found: dict[str, Boundary] = {}
        b = self.boxes
        near = np.flatnonzero((b[:, 0] <= lon) & (lon <= b[:, 2]) & (b[:, 1] <= lat) & (lat <= b[:, 3]))
        for k in near:
            candidate = self.boundaries[k]
            if candidate.layer not in found and candidate.shape.contains(lon, lat):
                found[candidate.layer] = candidate
        urban = next((found[k].urban for k in URBAN_ORDER if k in found and found[k].urban is not None), None)
        area, beat = found.get("area"), found.get("beat")
        return Place(area.name if area else None, beat.name if beat else None, urban)


# The index per database, re-checked against the table at most every RECHECK_S (an import in this
# process drops it at once; another process's import is seen within RECHECK_S).
RECHECK_S = 30.0
_cache: dict[str, tuple[float, tuple[Any, ...], Index]] = {}
_lock = threading.Lock()


def invalidate() -> None:
    with _lock:
        _cache.clear()


def index(session: Session) -> Index:
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and now - hit[0] < RECHECK_S:
        return hit[2]
    generation = tuple(session.execute(select(func.count(AreaBoundary.id), func.max(AreaBoundary.id))).one())
    if hit is not None and hit[1] == generation:
        built = hit[2]
    else:
        rows = session.execute(select(AreaBoundary.layer, AreaBoundary.code, AreaBoundary.name, AreaBoundary.urban,
                                      AreaBoundary.geometry).order_by(AreaBoundary.layer, AreaBoundary.code)).all()
        built = Index([Boundary(r[0], r[1], r[2], r[3],
                                geometry.Compiled(geometry.shape_from_geojson(json.loads(r[4])))) for r in rows])
    with _lock:
        _cache[key] = (now, generation, built)
    return built


def locate(session: Session, lat: float, lon: float) -> Place | None:
    """The boundaries a position lies in; None when the force has imported no boundaries at all."""
    idx = index(session)
    return idx.locate(lat, lon) if len(idx) else None


def features(session: Session) -> list[dict[str, Any]]:
    """The stored boundaries as GeoJSON features for the map (areas filled, every layer outlined)."""
    rows = session.execute(select(AreaBoundary.layer, AreaBoundary.code, AreaBoundary.name, AreaBoundary.urban,
                                  AreaBoundary.geometry).order_by(AreaBoundary.layer, AreaBoundary.code)).all()
    out: list[dict[str, Any]] = []
    for layer, code, name, urban, geom in rows:
        props = {"layer": layer, "code": code, "name": name, "urban": urban}
        shape = json.loads(geom)
        if layer == "area":
            out.append({"type": "Feature", "properties": {"kind": "area", **props}, "geometry": shape})
        out.append({"type": "Feature", "properties": {"kind": "boundary" if layer == "area" else "beat", **props},
                    "geometry": shape})
    return out
