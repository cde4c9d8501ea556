"""The base map a force configures: a local PMTiles archive read by range requests, or raster tiles from its
own tile URL on this origin; either way every request stays on this origin and the boundaries are drawn over."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from dispatch_helpers import make_incident

from pmtiles_fixture import png, write

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _record(page, base: str):  # type: ignore[no-untyped-def]
    """Every request the page makes (with its Range header); anything off this origin is refused."""
    seen: list[tuple[str, str | None]] = []
    origin = urlsplit(base)[:2]
    page.on("request", lambda r: seen.append((r.url, r.headers.get("range"))))

    def route(r):  # type: ignore[no-untyped-def]
        if urlsplit(r.request.url)[:2] != origin and not r.request.url.startswith(("data:", "blob:")):
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)
    return seen


@pytest.fixture
def settings():  # type: ignore[no-untyped-def]
    from bluelamp.config import get_settings

    s = get_settings()
    old = (s.map_pmtiles, s.map_tile_dir, s.map_tile_url)
    yield s
    s.map_pmtiles, s.map_tile_dir, s.map_tile_url = old


def _open_board(browser, live_server, login):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    seen = _record(page, live_server)
    login(page, live_server, "dispatcher")
    page.goto(f"{live_server}/incidents")
    return context, page, seen


def _tile_xy(lat: float, lon: float, z: int) -> tuple[int, int]:
    """The standard web-map tile holding a point (the slippy-map formula)."""
    import math

    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _off_origin(seen, live_server):  # type: ignore[no-untyped-def]
    return [u for u, _ in seen if urlsplit(u)[:2] != urlsplit(live_server)[:2] and not u.startswith(("data:", "blob:"))]


def test_a_pmtiles_archive_is_drawn_from_this_origin_by_range_requests(browser, live_server, login, db, settings,
                                                                       tmp_path):
    settings.map_pmtiles = str(write(tmp_path / "force.pmtiles", {(0, 0, 0): png((30, 110, 60))}))
    make_incident(db, grade=1, lat=53.02, lon=-2.17, area="Stoke-on-Trent")
    context, page, seen = _open_board(browser, live_server, login)
    try:
        page.wait_for_selector("#map .bl-pmtiles img.leaflet-tile-loaded")
        page.wait_for_selector("#map path.bl-boundary")  # the boundaries over the tiles
        page.wait_for_load_state("networkidle")
        src = page.get_attribute("#map .bl-pmtiles img.leaflet-tile-loaded", "src")
        assert src and src.startswith("blob:")  # the tile's bytes came out of the archive
        # the tile drawn is the archive's green, not a blank or broken image
        colour = page.evaluate("""() => { const img = document.querySelector('#map .bl-pmtiles img.leaflet-tile-loaded');
            const c = document.createElement('canvas'); c.width = c.height = 4; const g = c.getContext('2d');
            g.drawImage(img, 0, 0, 4, 4); return Array.from(g.getImageData(1, 1, 1, 1).data.slice(0, 3)); }""")
        assert colour == [30, 110, 60]
        assert page.locator("#map path.bl-area").count() == 0  # the filled demo areas give way to the tiles
    finally:
        context.close()
    assert not _off_origin(seen, live_server), f"requests off this origin: {_off_origin(seen, live_server)}"
    ranged = [r for u, r in seen if u.endswith("/map/base.pmtiles")]
    assert ranged and all(r and r.startswith("bytes=") for r in ranged)
    assert any("/static/vendor/pmtiles/pmtiles.js" in u for u, _ in seen)


def test_raster_tiles_from_the_forces_own_tile_url_are_drawn_from_this_origin(browser, live_server, login, db,
                                                                             settings, tmp_path):
    # The force's tile server is on this origin: here, the folder bluelamp serves, named by its URL template.
    tile = png((120, 40, 160))
    for z in (8, 9, 10):  # every tile over the county and round it (51.8-54.0 N, 3.6-0.4 W) at the zooms the board opens at
        (x0, y0), (x1, y1) = _tile_xy(54.0, -3.6, z), _tile_xy(51.8, -0.4, z)
        for x in range(x0, x1 + 1):
            (tmp_path / str(z) / str(x)).mkdir(parents=True, exist_ok=True)
            for y in range(y0, y1 + 1):
                (tmp_path / str(z) / str(x) / f"{y}.png").write_bytes(tile)
    settings.map_tile_dir = str(tmp_path)
    settings.map_tile_url = "/map/tiles/{z}/{x}/{y}.png"
    make_incident(db, grade=2, lat=52.80, lon=-2.12, area="Stafford")
    context, page, seen = _open_board(browser, live_server, login)
    served: list[int] = []
    page.on("response", lambda r: served.append(r.status) if "/map/tiles/" in r.url else None)
    try:
        page.wait_for_selector("#map img.leaflet-tile-loaded")
        page.wait_for_selector("#map path.bl-boundary")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert not _off_origin(seen, live_server), f"requests off this origin: {_off_origin(seen, live_server)}"
    tiles = [u for u, _ in seen if "/map/tiles/" in u]
    assert tiles and all(urlsplit(u).path.startswith("/map/tiles/") for u in tiles)
    assert served and set(served) == {200}  # every tile the view asked for came from the force's tiles
