"""A local PMTiles archive as the map's base layer: its header read once, the file served by range.

PMTiles (version 3) is one file of map tiles that a browser reads with HTTP range requests: a fixed
127-byte header, then directories and tiles at offsets the header gives. bluelamp serves the force's
file at `/map/base.pmtiles` from this origin (Starlette's FileResponse answers `Range` with 206), and
the vendored `pmtiles` library (raster) or `protomaps-leaflet` (vector) draws it. Only the header is
read here, to say which kind the archive is and which zooms it holds; a missing or foreign file is
reported on the map, which falls back to the boundaries.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

HEADER_BYTES = 127
TILE_TYPES = {1: "mvt", 2: "png", 3: "jpeg", 4: "webp", 5: "avif"}


@dataclass(frozen=True)
class Header:
    tile_type: str
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    center: tuple[float, float, int]  # lon, lat, zoom

    @property
    def vector(self) -> bool:
        return self.tile_type == "mvt"


def read_header(path: str | Path) -> Header:
    """The archive's header; ValueError naming the problem when the file is not a PMTiles v3 archive."""
    try:
        with open(path, "rb") as f:
            raw = f.read(HEADER_BYTES)
    except OSError as exc:
        raise ValueError(f"cannot read {Path(path).name} ({exc.strerror})") from None
    if len(raw) < HEADER_BYTES or raw[:7] != b"PMTiles":
        raise ValueError(f"{Path(path).name} is not a PMTiles archive")
    if raw[7] != 3:
        raise ValueError(f"{Path(path).name} is PMTiles version {raw[7]}; version 3 is needed")
    tile_type = TILE_TYPES.get(raw[99])
    if tile_type is None:
        raise ValueError(f"{Path(path).name} holds tiles of an unknown type ({raw[99]})")
    min_zoom, max_zoom = raw[100], raw[101]
    x0, y0, x1, y1 = (v / 1e7 for v in struct.unpack_from("<4i", raw, 102))
    center_zoom = raw[118]
    cx, cy = (v / 1e7 for v in struct.unpack_from("<2i", raw, 119))
    return Header(tile_type, min_zoom, max_zoom, (x0, y0, x1, y1), (cx, cy, center_zoom))
