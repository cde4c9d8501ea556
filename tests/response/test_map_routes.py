"""The map's routes: the local GeoJSON for the board's readers, and tiles from the configured folder."""

from __future__ import annotations

import pytest


def test_the_base_geojson_is_served_to_a_dispatcher_and_refused_to_a_chat_operator(client, make_user):
    _, headers = make_user("dispatcher")
    res = client.get("/map/base.geojson", headers=headers)
    assert res.status_code == 200 and res.headers["content-type"].startswith("application/geo+json")
    assert {f["properties"]["kind"] for f in res.json()["features"]} >= {"area", "boundary", "road", "town"}
    _, other = make_user("chat_operator")
    assert client.get("/map/base.geojson", headers=other).status_code == 403


@pytest.fixture
def tile_dir(tmp_path):  # type: ignore[no-untyped-def]
    from bluelamp.config import get_settings

    settings = get_settings()
    old = settings.map_tile_dir
    (tmp_path / "9" / "252").mkdir(parents=True)
    (tmp_path / "9" / "252" / "165.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    settings.map_tile_dir = str(tmp_path)
    yield tmp_path
    settings.map_tile_dir = old


def test_tiles_come_from_the_configured_folder_and_a_missing_one_is_404(client, make_user, tile_dir):
    _, headers = make_user("dispatcher")
    res = client.get("/map/tiles/9/252/165.png", headers=headers)
    assert res.status_code == 200 and res.content.startswith(b"\x89PNG")
    assert client.get("/map/tiles/9/252/166.png", headers=headers).status_code == 404
    assert client.get("/map/tiles/99/1/1.png", headers=headers).status_code == 422


def test_with_no_tiles_configured_the_tile_route_says_so(client, make_user):
    _, headers = make_user("dispatcher")
    res = client.get("/map/tiles/9/252/165.png", headers=headers)
    assert res.status_code == 404 and "BLUELAMP_MAP_TILE_DIR" in res.text
