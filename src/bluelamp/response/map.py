"""The dispatch map's data: the base layer the force configures, or, with none, the demo force's area
boundaries and roads as GeoJSON made from `bluelamp.synth.areas`.

The markers (incidents, units) are drawn in the browser from the board's own JSON, so the map and the
board rows always show the same incidents. Everything here is served from this origin: the map never
fetches from the internet (police networks are closed).

The demo areas have centres and towns but no surveyed boundary, so a boundary is drawn where the
nearest town changes area: each town's Voronoi cell (in a local equirectangular projection), clipped to
the county outline (the convex hull of every town widened by `MARGIN_KM`), and the cells of one area
joined. Roads are schematic: straight runs between the towns a real road passes, labelled as such.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bluelamp.synth.areas import AREAS

MARGIN_KM = 7.0
KM_PER_DEG_LAT = 111.2
LAT0 = 52.85  # the projection's standard parallel (the county's middle)
KX = math.cos(math.radians(LAT0))
# Age after which a unit's position is shown as stale, for a policy without location.yaml (the policy's
# positions.stale_after_minutes is used when present: response/pages.py).
STALE_AFTER_S = 600

Point = tuple[float, float]  # projected (x = lon * KX, y = lat), in degrees of latitude


def _proj(lat: float, lon: float) -> Point:
    return (lon * KX, lat)


def _unproj(p: Point) -> list[float]:
    return [round(p[0] / KX, 5), round(p[1], 5)]  # GeoJSON order: lon, lat


unproject = _unproj


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def convex_hull(points: list[Point]) -> list[Point]:
    """Andrew's monotone chain: the hull counter-clockwise, without repeating the first point."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts
    lower: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def clip_nearer(poly: list[Point], a: Point, b: Point) -> list[Point]:
    """The part of a convex polygon nearer to `a` than to `b` (Sutherland-Hodgman, one half-plane)."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    dx, dy = b[0] - a[0], b[1] - a[1]

    def side(p: Point) -> float:  # <= 0: on a's side of the bisector
        return (p[0] - mx) * dx + (p[1] - my) * dy

    out: list[Point] = []
    for i, p in enumerate(poly):
        q = poly[(i + 1) % len(poly)]
        sp, sq = side(p), side(q)
        if sp <= 0:
            out.append(p)
        if (sp < 0 < sq) or (sq < 0 < sp):
            t = sp / (sp - sq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


@dataclass(frozen=True)
class Cell:
    town: str
    area: str
    site: Point
    polygon: list[Point]


def town_cells() -> list[Cell]:
    """Every town's Voronoi cell clipped to the county outline."""
    towns = [(t.name, a.name, _proj(t.lat, t.lon)) for a in AREAS for t in a.towns]
    r = MARGIN_KM / KM_PER_DEG_LAT
    ring = [(x + r * math.cos(k * math.pi / 8), y + r * math.sin(k * math.pi / 8))
            for _, _, (x, y) in towns for k in range(16)]
    outline = convex_hull(ring)
    cells = []
    for name, area, site in towns:
        poly = outline
        for _, _, other in towns:
            if other != site and poly:
                poly = clip_nearer(poly, site, other)
        cells.append(Cell(name, area, site, poly))
    return cells


def _d2(p: Point, q: Point) -> float:
    return (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2


def _boundary_edges(cells: list[Cell]) -> list[tuple[Point, Point]]:
    """Cell edges between towns of different areas, and edges on the county outline."""
    eps = 1e-9
    edges = []
    index = {id(c): i for i, c in enumerate(cells)}
    for cell in cells:
        poly = cell.polygon
        for i, p in enumerate(poly):
            q = poly[(i + 1) % len(poly)]
            neighbours = [o for o in cells if o is not cell
                          and abs(_d2(p, cell.site) - _d2(p, o.site)) < eps
                          and abs(_d2(q, cell.site) - _d2(q, o.site)) < eps]
            inner = [o for o in neighbours if o.area == cell.area]
            other = [o for o in neighbours if o.area != cell.area]
            if inner and not other:
                continue  # between two towns of one area: no boundary
            if other and index[id(cell)] > index[id(other[0])]:
                continue  # a shared edge is drawn once
            edges.append((p, q))
    return edges


# Schematic roads: the towns (or points) a real road passes, in order.
ROADS: tuple[tuple[str, str, tuple[str | tuple[float, float], ...]], ...] = (
    ("M6", "motorway", ((53.10, -2.27), (53.04, -2.29), (52.98, -2.25), (52.90, -2.19), (52.83, -2.16),
                        (52.76, -2.13), (52.70, -2.11), (52.66, -2.05), (52.62, -2.00))),
    ("A34", "a_road", ("Kidsgrove", "Newcastle-under-Lyme", "Stone", "Stafford", "Cannock")),
    ("A500", "a_road", ("Kidsgrove", "Tunstall", "Burslem", "Stoke", "Newcastle-under-Lyme")),
    ("A50", "a_road", ("Stoke", "Longton", "Uttoxeter", "Tutbury", (52.88, -1.55))),
    ("A38", "a_road", ("Shenstone", "Lichfield", "Alrewas", "Barton-under-Needwood", "Burton upon Trent",
                       (52.87, -1.55))),
    ("A5", "a_road", ((52.70, -2.19), "Norton Canes", "Fazeley", "Wilnecote", (52.58, -1.56))),
    ("A51", "a_road", ("Stone", "Great Haywood", "Rugeley", "Armitage", "Lichfield", "Tamworth")),
    ("A449", "a_road", ("Stafford", "Penkridge", (52.61, -2.14), "Wombourne", "Kinver")),
    ("A53", "a_road", ("Newcastle-under-Lyme", "Hanley", "Leek", "Longnor")),
    ("A520", "a_road", ("Stone", "Cheadle", "Leek")),
    ("A460", "a_road", ("Cannock", "Hednesford", "Rugeley")),
    ("A518", "a_road", ("Stafford", "Hixon", "Uttoxeter")),
    ("A527", "a_road", ("Tunstall", "Biddulph")),
)


def _town_positions() -> dict[str, tuple[float, float]]:
    return {t.name: (t.lat, t.lon) for a in AREAS for t in a.towns}


@lru_cache(maxsize=1)
def demo_base() -> dict[str, Any]:
    """Area boundaries, areas (filled), schematic roads and town names of the demo force, as GeoJSON."""
    cells = town_cells()
    features: list[dict[str, Any]] = []
    for area in AREAS:
        polys = [[[_unproj(p) for p in c.polygon + c.polygon[:1]]] for c in cells if c.area == area.name]
        features.append({"type": "Feature", "properties": {"kind": "area", "name": area.name},
                         "geometry": {"type": "MultiPolygon", "coordinates": polys}})
    features.append({"type": "Feature", "properties": {"kind": "boundary"},
                     "geometry": {"type": "MultiLineString",
                                  "coordinates": [[_unproj(p), _unproj(q)] for p, q in _boundary_edges(cells)]}})
    towns = _town_positions()
    for name, road_class, stops in ROADS:
        line = [[round(s[1], 5), round(s[0], 5)] for s in
                (towns[s] if isinstance(s, str) else s for s in stops)]
        features.append({"type": "Feature", "properties": {"kind": "road", "name": name, "class": road_class,
                                                           "schematic": True},
                         "geometry": {"type": "LineString", "coordinates": line}})
    for area in AREAS:
        for t in area.towns:
            features.append({"type": "Feature",
                             "properties": {"kind": "town", "name": t.name, "area": area.name, "urban": t.urban},
                             "geometry": {"type": "Point", "coordinates": [t.lon, t.lat]}})
    return {"type": "FeatureCollection", "features": features,
            "properties": {"source": "demo force (bluelamp.synth.areas)",
                           "note": "boundaries: where the nearest town changes area; roads: schematic"}}


def with_boundaries(stored: list[dict[str, Any]], demo: bool) -> dict[str, Any]:
    """The base GeoJSON with the force's imported boundaries in place of the drawn demo ones (the demo
    force's schematic roads and town names kept when it is the demo force)."""
    if not stored:
        return demo_base() if demo else {"type": "FeatureCollection", "features": [],
                                          "properties": {"source": "none", "note": "no boundaries imported"}}
    extra = [f for f in demo_base()["features"] if f["properties"]["kind"] in ("road", "town")] if demo else []
    return {"type": "FeatureCollection", "features": stored + extra,
            "properties": {"source": "imported boundaries (bluelamp import boundaries)",
                           "note": "roads: schematic" if demo else ""}}


def area_of(lat: float, lon: float) -> str | None:
    """The demo area whose town is nearest (the same rule that draws the boundaries); None off the county."""
    p = _proj(lat, lon)
    best = min(((_d2(p, _proj(t.lat, t.lon)), a.name) for a in AREAS for t in a.towns), default=None)
    return best[1] if best else None


_TEMPLATE = re.compile(r"^/(?!/)[A-Za-z0-9_\-./{}]*$")


def base_layer(tile_dir: str, tile_url: str, attribution: str, max_zoom: int, pmtiles: str = "") -> dict[str, Any]:
    """What the browser draws under the markers: the force's tiles, or the demo GeoJSON.

    A tile source must be on this origin: a PMTiles archive bluelamp serves by range, a folder bluelamp
    serves, or a path template ("/tiles/{z}/{x}/{y}.png" behind the same proxy). An absolute URL would be
    fetched from elsewhere (the page's CSP refuses it, and the network may not reach it), so it is not
    used: the map falls back to the GeoJSON and says why. The boundaries are drawn over any tiles.
    """
    out: dict[str, Any] = {"tiles": None, "pmtiles": None, "attribution": attribution or "",
                           "max_zoom": max(1, min(max_zoom, 22)), "geojson": "/map/base.geojson", "warning": None}
    if pmtiles:
        from bluelamp.response.pmtiles import read_header

        try:
            header = read_header(pmtiles)
        except ValueError as exc:
            out["warning"] = f"BLUELAMP_MAP_PMTILES is not used: {exc}; showing the area boundaries instead"
        else:
            out["pmtiles"] = {"url": PMTILES_URL, "vector": header.vector, "tile_type": header.tile_type,
                              "min_zoom": header.min_zoom, "max_zoom": header.max_zoom}
            return out
    if tile_dir:
        out["tiles"] = "/map/tiles/{z}/{x}/{y}.png"
    elif tile_url:
        ok = bool(_TEMPLATE.match(tile_url)) and all(k in tile_url for k in ("{z}", "{x}", "{y}"))
        if ok:
            out["tiles"] = tile_url
        else:
            out["warning"] = ("BLUELAMP_MAP_TILE_URL is not used: it must be a path on this server with {z}, {x} "
                              "and {y} (such as /tiles/{z}/{x}/{y}.png); showing the area boundaries instead")
    return out


PMTILES_URL = "/map/base.pmtiles"


__all__ = ["demo_base", "with_boundaries", "base_layer", "area_of", "town_cells", "STALE_AFTER_S"]
