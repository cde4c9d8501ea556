"""OS grid references to WGS84 latitude and longitude (pyproj: EPSG:27700 to EPSG:4326).

Without the OSTN15 grid file (`uk_os_OSTN15_NTv2_OSGBtoETRS.tif`, not shipped: nothing is fetched at
run time) PROJ uses the best Helmert transformation it has; against Ordnance Survey's published
OSTN15 test points it is within 3 m (docs/call-handler.md gives the figures). With the grid file in
PROJ's data directory the same call is within a few millimetres.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

from bluelamp.location.model import GridPoint, in_uk, parse_grid_ref


@lru_cache(maxsize=1)
def _transformer():  # type: ignore[no-untyped-def]
    from pyproj import Transformer

    with warnings.catch_warnings():  # "best transformation not available": the missing OSTN15 grid
        warnings.simplefilter("ignore")
        return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def grid_to_wgs84(point: GridPoint) -> tuple[float, float]:
    """(lat, lon) in WGS84 of a point on the British National Grid."""
    lon, lat = _transformer().transform(point.easting, point.northing)
    return float(lat), float(lon)


def grid_ref_to_wgs84(text: str) -> tuple[float, float, float]:
    """(lat, lon, precision in metres) of an OS grid reference; ValueError when malformed or off the grid."""
    point = parse_grid_ref(text)
    lat, lon = grid_to_wgs84(point)
    if not (lat == lat and lon == lon) or not in_uk(lat, lon):  # NaN or outside the islands
        raise ValueError("off the grid: the reference is outside Great Britain")
    return lat, lon, point.precision_m
