"""The map's local base layer: the demo force's areas, boundaries and roads, and the tile settings."""

from __future__ import annotations

import pytest

from bluelamp.response import map as demo_map
from bluelamp.synth.areas import AREAS


def _inside(lon: float, lat: float, ring: list[list[float]]) -> bool:
    """Ray casting: is (lon, lat) inside the closed ring?"""
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def _areas() -> dict[str, list[list[list[float]]]]:
    return {f["properties"]["name"]: f["geometry"]["coordinates"]
            for f in demo_map.demo_base()["features"] if f["properties"]["kind"] == "area"}


def test_every_demo_area_has_a_boundary_that_holds_all_its_towns_and_no_other_areas_towns():
    areas = _areas()
    assert sorted(areas) == sorted(a.name for a in AREAS)
    for area in AREAS:
        for town in area.towns:
            holders = [name for name, polys in areas.items() if any(_inside(town.lon, town.lat, p[0]) for p in polys)]
            assert holders == [area.name], f"{town.name} lies in {holders}"


def test_a_point_between_towns_falls_in_the_area_of_the_nearest_town():
    stafford, stone = 52.806, 52.903  # both towns of the Stafford area
    assert demo_map.area_of((stafford + stone) / 2, -2.13) == "Stafford"
    assert demo_map.area_of(53.024, -2.174) == "Stoke-on-Trent"  # Hanley
    assert demo_map.area_of(52.633, -1.695) == "Tamworth"


def test_the_base_map_has_boundary_lines_roads_and_town_names():
    kinds: dict[str, int] = {}
    for f in demo_map.demo_base()["features"]:
        kinds[f["properties"]["kind"]] = kinds.get(f["properties"]["kind"], 0) + 1
    assert kinds["road"] >= 10 and kinds["town"] == sum(len(a.towns) for a in AREAS)
    [boundary] = [f for f in demo_map.demo_base()["features"] if f["properties"]["kind"] == "boundary"]
    assert len(boundary["geometry"]["coordinates"]) > 20
    roads = [f for f in demo_map.demo_base()["features"] if f["properties"]["kind"] == "road"]
    assert all(r["properties"]["schematic"] for r in roads)  # said plainly: not surveyed roads


@pytest.mark.parametrize("url", ["https://tile.openstreetmap.org/{z}/{x}/{y}.png", "//tiles.example/{z}/{x}/{y}.png",
                                 "/tiles/{z}/{x}.png", "javascript:alert(1)"])
def test_a_tile_url_that_is_not_a_full_template_on_this_origin_is_not_used(url):
    layer = demo_map.base_layer("", url, "", 18)
    assert layer["tiles"] is None and "BLUELAMP_MAP_TILE_URL" in layer["warning"]
    assert layer["geojson"] == "/map/base.geojson"  # the map falls back to the local boundaries


def test_a_tile_template_on_this_origin_or_a_tile_folder_is_used():
    assert demo_map.base_layer("", "/tiles/{z}/{x}/{y}.png", "OS", 16)["tiles"] == "/tiles/{z}/{x}/{y}.png"
    assert demo_map.base_layer("/srv/tiles", "", "", 16)["tiles"] == "/map/tiles/{z}/{x}/{y}.png"
    assert demo_map.base_layer("", "", "", 16)["tiles"] is None
