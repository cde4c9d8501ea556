"""Boundary geometry: reading GeoJSON polygons, converting them to WGS84, checking them, and the
point-in-polygon test.

Shapely is the library for this, but it is neither installed nor in requirements.lock here, so the
point-in-polygon test and the hole checks come from matplotlib's `Path` (a dependency already:
hierarchicalforecast needs it), whose C++ core answers "does this point lie inside"
(`contains_point`) and "do these two lines cross" (`intersects_path`). The one predicate written
here is a ring's self-intersection (the textbook orientation test, vectorised with numpy), because
asking matplotlib edge by edge was too slow for a force's LSOA file; with shapely installed,
`shapely.is_valid` would replace it. Datum
conversion is pyproj's (British National Grid to WGS84), as for grid references.

A ring is a closed list of [x, y]; a polygon an outer ring and its holes; every boundary is a list of
polygons (a Polygon is one, a MultiPolygon several). Coordinates are longitude, latitude.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.path import Path

from bluelamp.location.model import in_uk

WGS84, BNG = "EPSG:4326", "EPSG:27700"
# The names a GeoJSON file's (pre-RFC 7946) `crs` member, or --crs, may give, and what they mean.
CRS_NAMES = {
    "urn:ogc:def:crs:ogc:1.3:crs84": WGS84, "urn:ogc:def:crs:epsg::4326": WGS84, "epsg:4326": WGS84,
    "crs84": WGS84, "wgs84": WGS84, "urn:ogc:def:crs:epsg::27700": BNG, "epsg:27700": BNG, "bng": BNG,
    "osgb36": BNG, "british-national-grid": BNG,
}
DECIMALS = 6  # about 0.1 m: more than any boundary file carries


class GeometryError(ValueError):
    """A geometry that cannot be used as a boundary (the message says why)."""


def crs_of(name: str) -> str:
    """The CRS a name stands for (WGS84 or British National Grid); GeometryError for any other."""
    crs = CRS_NAMES.get(name.strip().lower())
    if crs is None:
        raise GeometryError(f"unknown coordinate reference system {name!r}: boundaries must be in WGS84 "
                            "(EPSG:4326, CRS84) or British National Grid (EPSG:27700)")
    return crs


def file_crs(doc: dict[str, Any]) -> str | None:
    """The CRS named in a FeatureCollection's `crs` member (GeoJSON 2008 form), or None without one."""
    crs = doc.get("crs")
    if crs is None:
        return None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str):
        raise GeometryError("the file's crs member is not of the form {\"type\": \"name\", \"properties\": "
                            "{\"name\": \"EPSG:27700\"}}")
    return crs_of(name)


@lru_cache(maxsize=1)
def _bng_to_wgs84():  # type: ignore[no-untyped-def]
    from pyproj import Transformer

    with warnings.catch_warnings():  # the OSTN15 grid is not shipped (see location/grid.py)
        warnings.simplefilter("ignore")
        return Transformer.from_crs(BNG, WGS84, always_xy=True)


Polygon = list[np.ndarray]  # outer ring, then holes; each an (n, 2) array of lon, lat, closed


@dataclass
class Shape:
    """A checked boundary in WGS84, ready for point look-ups."""

    polygons: list[Polygon]

    @property
    def box(self) -> tuple[float, float, float, float]:
        outer = np.vstack([p[0] for p in self.polygons])
        return (float(outer[:, 0].min()), float(outer[:, 1].min()), float(outer[:, 0].max()),
                float(outer[:, 1].max()))

    def geojson(self) -> dict[str, Any]:
        coords = [[np.round(r, DECIMALS).tolist() for r in p] for p in self.polygons]
        if len(coords) == 1:
            return {"type": "Polygon", "coordinates": coords[0]}
        return {"type": "MultiPolygon", "coordinates": coords}


def _ring(raw: Any, where: str) -> np.ndarray:
    if not isinstance(raw, list) or not raw:
        raise GeometryError(f"{where} is empty")
    try:
        ring = np.array([[float(p[0]), float(p[1])] for p in raw], dtype=float)
    except (TypeError, ValueError, IndexError):
        raise GeometryError(f"{where}: every position must be [x, y] numbers") from None
    if not np.isfinite(ring).all():
        raise GeometryError(f"{where}: a coordinate is not a finite number")
    if len(ring) > 1:  # a position repeated at once adds nothing (and would touch its neighbours)
        ring = ring[np.concatenate([[True], np.any(ring[1:] != ring[:-1], axis=1)])]
    if not np.array_equal(ring[0], ring[-1]):
        raise GeometryError(f"{where} is not closed (its last position must repeat its first)")
    if len(ring) < 4:
        raise GeometryError(f"{where} has fewer than 4 positions (a ring is at least a closed triangle)")
    return ring


def parse(geometry: Any) -> list[list[np.ndarray]]:
    """The rings of a GeoJSON Polygon or MultiPolygon, in the file's coordinates (checked for shape)."""
    if not isinstance(geometry, dict):
        raise GeometryError("no geometry")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        coords = [coords]
    elif kind != "MultiPolygon":
        raise GeometryError(f"geometry type {kind!r}: a boundary is a Polygon or MultiPolygon")
    if not isinstance(coords, list) or not coords or not all(isinstance(p, list) and p for p in coords):
        raise GeometryError("the polygon is empty (no coordinates)")
    return [[_ring(r, f"polygon {i + 1} ring {j + 1}") for j, r in enumerate(p)] for i, p in enumerate(coords)]


def to_wgs84(polygons: list[list[np.ndarray]], crs: str) -> list[list[np.ndarray]]:
    """Convert rings to WGS84 longitude/latitude; GeometryError when the result lies outside the UK."""
    if crs == BNG:
        t = _bng_to_wgs84()
        polygons = [[np.column_stack(t.transform(r[:, 0], r[:, 1])) for r in p] for p in polygons]
    for p in polygons:
        lon, lat = p[0][:, 0], p[0][:, 1]
        if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
            raise GeometryError("coordinates cannot be converted (outside the grid)")
        if not (in_uk(float(lat.min()), float(lon.min())) and in_uk(float(lat.max()), float(lon.max()))):
            hint = ("; British National Grid eastings/northings? give --crs EPSG:27700"
                    if crs == WGS84 and float(np.abs(p[0]).max()) > 1000 else "")
            raise GeometryError(f"coordinates are outside the UK as {'longitude/latitude' if crs == WGS84 else crs}"
                                + hint)
    return polygons


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _self_intersects(ring: np.ndarray) -> bool:
    """Does any edge of the ring cross or touch an edge that is not its neighbour?

    The standard orientation test over every pair of edges whose boxes overlap, in numpy blocks (a
    per-edge call of matplotlib's `intersects_path` gave the same answers at 20 times the cost).
    """
    p, q = ring[:-1], ring[1:]
    n = len(p)  # edges
    if n <= 3:
        return False  # a triangle cannot cross itself (and zero area is checked apart)
    lo, hi = np.minimum(p, q), np.maximum(p, q)
    index = np.arange(n)
    block = max(1, 2_000_000 // n)
    for a in range(0, n, block):
        i = index[a:a + block, None]
        overlap = ((lo[a:a + block, None, 0] <= hi[None, :, 0]) & (lo[None, :, 0] <= hi[a:a + block, None, 0])
                   & (lo[a:a + block, None, 1] <= hi[None, :, 1]) & (lo[None, :, 1] <= hi[a:a + block, None, 1]))
        overlap &= index[None, :] > i + 1  # each pair once, neighbours apart
        overlap &= ~((i == 0) & (index[None, :] == n - 1))  # the last edge is the first's neighbour
        ii, jj = np.nonzero(overlap)
        if not len(ii):
            continue
        ii = ii + a
        o1 = _orient(p[ii], q[ii], p[jj]) * _orient(p[ii], q[ii], q[jj])
        o2 = _orient(p[jj], q[jj], p[ii]) * _orient(p[jj], q[jj], q[ii])
        if np.any((o1 <= 0) & (o2 <= 0)):  # boxes overlap, so this is a crossing, a touch or an overlap
            return True
    return False


def _orient(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The sign of the turn a -> b -> c (1 left, -1 right, 0 straight on), per row."""
    return np.sign((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))


def check(polygons: list[list[np.ndarray]]) -> Shape:
    """A boundary fit to look points up in: no empty, flat or self-crossing ring; holes inside their polygon.
    Checked in the file's own coordinates, before any conversion.

    Not checked: whether the parts of a MultiPolygon overlap one another (a point in both is in the
    boundary either way).
    """
    for i, rings in enumerate(polygons):
        for j, ring in enumerate(rings):
            where = f"polygon {i + 1} ring {j + 1}"
            if _self_intersects(ring):
                raise GeometryError(f"{where} is self-intersecting (its edges cross)")
            span = float(np.ptp(ring, axis=0).max())
            if math.isclose(_area(ring), 0.0, abs_tol=1e-9 * span * span):
                raise GeometryError(f"{where} is empty (it encloses no area)")
        outer = Path(rings[0])
        for j, hole in enumerate(rings[1:], start=2):
            if outer.intersects_path(Path(hole), filled=False) or not outer.contains_point(hole[0]):
                raise GeometryError(f"polygon {i + 1} ring {j} is a hole that is not inside its polygon")
    return Shape([[np.asarray(r) for r in p] for p in polygons])


class Compiled:
    """A boundary compiled for point look-ups (matplotlib paths of each ring)."""

    def __init__(self, shape: Shape) -> None:
        self.box = shape.box
        self.parts = [(Path(p[0]), [Path(h) for h in p[1:]]) for p in shape.polygons]

    def contains(self, lon: float, lat: float) -> bool:
        x0, y0, x1, y1 = self.box
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            return False
        point = (lon, lat)
        return any(outer.contains_point(point) and not any(h.contains_point(point) for h in holes)
                   for outer, holes in self.parts)


def shape_from_geojson(geometry: dict[str, Any]) -> Shape:
    """A stored (already checked, WGS84) geometry back as a Shape."""
    return Shape([[np.array(r, dtype=float) for r in p] for p in parse(geometry)])
