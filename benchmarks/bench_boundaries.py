"""Boundaries: importing a force's LSOAs (`bluelamp import boundaries`) and finding a position's area.

A synthetic file like a force's LSOA layer: N polygons of V vertices each (wavy-edged cells of a grid
over the county, on the British National Grid, so every ring is converted and checked), then look-ups
of random points through the in-process index (what each contact's resolve does).

Usage: python benchmarks/bench_boundaries.py [--url DATABASE_URL] [--polygons 1000] [--vertices 400]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import tempfile
import time
from pathlib import Path


def cell(x0: float, y0: float, size: float, vertices: int, rng: random.Random) -> list[list[float]]:
    """A star-shaped ring round the cell's centre (never self-intersecting), closed."""
    cx, cy = x0 + size / 2, y0 + size / 2
    ring = []
    for k in range(vertices):
        a = 2 * math.pi * k / vertices
        r = size / 2 * (0.8 + 0.15 * math.sin(7 * a) + 0.05 * rng.random())
        ring.append([round(cx + r * math.cos(a), 1), round(cy + r * math.sin(a), 1)])
    return ring + [ring[0]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="")
    ap.add_argument("--polygons", type=int, default=1000)
    ap.add_argument("--vertices", type=int, default=400)
    ap.add_argument("--lookups", type=int, default=10_000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    url = args.url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("BLUELAMP_VAR_DIR", tmp)
    os.environ["BLUELAMP_DATABASE_URL"] = url
    import bluelamp.db.tables  # noqa: F401
    from bluelamp.db.engine import get_database
    from bluelamp.db.migrate import upgrade
    from bluelamp.location import boundaries
    from bluelamp.location.store import AreaBoundary

    db = get_database(url)
    upgrade(db.engine)
    with db.unit_of_work() as s:
        s.query(AreaBoundary).filter(AreaBoundary.layer == "lsoa").delete()
    boundaries.invalidate()
    rng = random.Random(5)
    side = math.ceil(math.sqrt(args.polygons))
    size = 60_000 / side  # the grid spans 60 km round Stafford
    feats = [{"type": "Feature", "properties": {"LSOA21CD": f"E0{n:07d}", "LSOA21NM": f"Synthetic {n}",
                                                "RUC21CD": rng.choice(["UN1", "UF1", "RSN1", "RLF1"])},
              "geometry": {"type": "Polygon", "coordinates": [cell(362_000 + (n % side) * size,
                                                                   293_000 + (n // side) * size, size,
                                                                   args.vertices, rng)]}}
             for n in range(args.polygons)]
    path = Path(tmp) / "lsoa.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:EPSG::27700"}}, "features": feats}))
    opts = boundaries.Options(layer="lsoa", code_property="LSOA21CD", name_property="LSOA21NM",
                              urban_property="RUC21CD")
    t = time.perf_counter()
    summary = boundaries.import_boundaries(db, path, "geojson", opts)
    imported = time.perf_counter() - t
    t = time.perf_counter()
    again = boundaries.import_boundaries(db, path, "geojson", opts)
    reimported = time.perf_counter() - t
    with db.unit_of_work(write=False) as s:
        t = time.perf_counter()
        idx = boundaries.index(s)
        built = time.perf_counter() - t
    lats = [52.55 + rng.random() * 0.55 for _ in range(args.lookups)]
    lons = [-2.55 + rng.random() * 0.9 for _ in range(args.lookups)]
    samples, hits = [], 0
    for lat, lon in zip(lats, lons, strict=True):
        t = time.perf_counter()
        place = idx.locate(lat, lon)
        samples.append(time.perf_counter() - t)
        hits += place.urban is not None
    samples.sort()
    kind = url.split(":")[0].split("+")[0]
    print(f"boundaries, {args.polygons} polygons x {args.vertices} vertices (BNG), {kind}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {path.stat().st_size / 2**20:.1f} MiB file")
    print(f"  import {imported:.1f} s {summary.to_dict()}; again {reimported:.1f} s {again.to_dict()}")
    print(f"  index built in {built * 1000:.0f} ms; look-up p50 {samples[len(samples) // 2] * 1e6:.0f} us, "
          f"p99 {samples[int(len(samples) * 0.99)] * 1e6:.0f} us ({hits} of {args.lookups} points in a polygon)")
    with db.unit_of_work() as s:
        s.query(AreaBoundary).filter(AreaBoundary.layer == "lsoa").delete()


if __name__ == "__main__":
    main()
