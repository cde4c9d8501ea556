"""The analyst's hotspot map draws the imported street crime as hexagons, with no request off this origin."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
          "Last outcome category,Context\n")


def test_the_hotspot_map_shows_hexagons_offline(page, live_server, login, db, tmp_path):
    from bluelamp.location.imports import import_street_crime

    rows = [f"id{i},2025-03,Staffordshire Police,Staffordshire Police,{-2.174 + i * 0.004:.6f},{53.024:.6f},"
            f"On or near Leek Road,E01014202,Stoke-on-Trent 001A,Burglary,Under investigation,\n" for i in range(12)]
    path = tmp_path / "2025-03-street.csv"
    path.write_text(HEADER + "".join(rows))
    assert import_street_crime(db, [path]).imported == 12
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    login(page, live_server, "analyst")
    page.goto(f"{live_server}/demand")
    page.wait_for_selector("#hotspot-map[data-cells]")
    cells = int(page.get_attribute("#hotspot-map", "data-cells") or 0)
    assert 1 <= cells <= 12
    assert page.locator("path.hs-cell").count() == cells
    assert "12 crimes" in page.inner_text("#hs-total")
    assert seen and all(u.startswith(live_server) or u.startswith("data:") for u in seen), \
        [u for u in seen if not u.startswith(live_server)]
