"""Area boundaries of the demo force, shipped as GeoJSON and loaded with `bluelamp import boundaries`.

They are synthetic, made from the demo geography (synth/areas.py) by the rule the map has always drawn:
each town's beat is the part of the county nearer that town than any other (its Voronoi cell, in a
local equirectangular projection, clipped to the county outline: response/map.py), and a policing
area is the beats of its towns. A beat is urban or rural as its town is. They are no real force's
boundaries. `python -m bluelamp.synth.boundaries` writes the two shipped files again; a test checks
that the shipped files are what this module makes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from bluelamp.response.map import town_cells, unproject
from bluelamp.synth.areas import AREAS

DATA = Path(__file__).parent / "data"
FILES = {"area": DATA / "demo-areas.geojson", "beat": DATA / "demo-beats.geojson"}


def _slug(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")


def _ring(points: list[tuple[float, float]]) -> list[list[float]]:
    ring: list[list[float]] = []
    for p in points:
        q = unproject(p)
        if not ring or q != ring[-1]:
            ring.append(q)
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def collections() -> dict[str, dict[str, Any]]:
    """The demo force's areas and beats as two FeatureCollections (WGS84)."""
    cells = town_cells()
    urban = {t.name: t.urban for a in AREAS for t in a.towns}
    beats = [{"type": "Feature", "properties": {"code": "BEAT-" + _slug(c.town), "name": c.town, "area": c.area,
                                                 "urban": urban[c.town]},
              "geometry": {"type": "Polygon", "coordinates": [_ring(c.polygon)]}} for c in cells if c.polygon]
    areas = [{"type": "Feature", "properties": {"code": _slug(a.name), "name": a.name},
              "geometry": {"type": "MultiPolygon",
                           "coordinates": [[_ring(c.polygon)] for c in cells if c.area == a.name and c.polygon]}}
             for a in AREAS]
    note = "synthetic: the demo force's beats are its towns' Voronoi cells (bluelamp.synth.boundaries)"
    return {layer: {"type": "FeatureCollection", "name": f"bluelamp demo force {layer}s", "note": note,
                    "features": feats} for layer, feats in (("area", areas), ("beat", beats))}


def load(db: Any, actor: str = "system:demo") -> dict[str, Any]:
    """Import the shipped files (as a force would import its own); already present ones import nothing."""
    from bluelamp.location.boundaries import Options, import_boundaries

    out = {}
    for layer, path in FILES.items():
        opts = Options(layer=layer, urban_property="urban" if layer == "beat" else None)
        out[layer] = import_boundaries(db, path, "geojson", opts, actor=actor).to_dict()
    return out


def main() -> None:
    for layer, doc in collections().items():
        FILES[layer].write_text(json.dumps(doc, separators=(",", ":")) + "\n")
        print(f"wrote {FILES[layer]}", file=sys.stderr)


if __name__ == "__main__":
    main()
