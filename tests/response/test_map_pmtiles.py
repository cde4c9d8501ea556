"""A local PMTiles archive as the base map: header read, served from this origin with range requests."""

from __future__ import annotations

import pytest

from bluelamp.response import map as demo_map
from bluelamp.response.pmtiles import read_header
from pmtiles_fixture import png, write


@pytest.fixture
def archive(tmp_path):  # type: ignore[no-untyped-def]
    from bluelamp.config import get_settings

    path = write(tmp_path / "force.pmtiles", {(0, 0, 0): png(), (1, 0, 0): png((200, 0, 0))})
    settings = get_settings()
    old = settings.map_pmtiles
    settings.map_pmtiles = str(path)
    yield path
    settings.map_pmtiles = old


@pytest.mark.nodb
def test_the_header_says_what_the_archive_holds(tmp_path):
    header = read_header(write(tmp_path / "a.pmtiles", {(0, 0, 0): png(), (1, 1, 0): png()}))
    assert (header.tile_type, header.vector, header.min_zoom, header.max_zoom) == ("png", False, 0, 1)
    layer = demo_map.base_layer("", "", "© the force", 18, str(tmp_path / "a.pmtiles"))
    assert layer["pmtiles"] == {"url": "/map/base.pmtiles", "vector": False, "tile_type": "png", "min_zoom": 0,
                                "max_zoom": 1}
    assert layer["tiles"] is None and layer["warning"] is None


@pytest.mark.nodb
@pytest.mark.parametrize(("content", "reason"), [(b"not an archive at all" * 10, "not a PMTiles archive"),
                                                 (b"PMTiles\x02" + b"\0" * 200, "version 2"),
                                                 (None, "cannot read")])
def test_a_file_that_is_not_a_pmtiles_v3_archive_is_not_used_and_the_map_says_why(tmp_path, content, reason):
    path = tmp_path / "bad.pmtiles"
    if content is not None:
        path.write_bytes(content)
    layer = demo_map.base_layer("", "", "", 18, str(path))
    assert layer["pmtiles"] is None and "BLUELAMP_MAP_PMTILES" in layer["warning"] and reason in layer["warning"]
    assert layer["geojson"] == "/map/base.geojson"


def test_the_archive_is_served_by_range_to_the_maps_readers_only(client, make_user, archive):
    _, headers = make_user("dispatcher")
    whole = archive.read_bytes()
    res = client.get("/map/base.pmtiles", headers={**headers, "Range": "bytes=0-126"})
    assert res.status_code == 206 and res.content == whole[:127]
    assert res.headers["content-range"] == f"bytes 0-126/{len(whole)}"
    tail = client.get("/map/base.pmtiles", headers={**headers, "Range": f"bytes={len(whole) - 10}-"})
    assert tail.status_code == 206 and tail.content == whole[-10:]
    full = client.get("/map/base.pmtiles", headers=headers)
    assert full.status_code == 200 and full.content == whole
    _, other = make_user("chat_operator")
    assert client.get("/map/base.pmtiles", headers=other).status_code == 403


@pytest.mark.slow  # over 2 s on a loaded machine: full suite only
def test_with_no_archive_configured_the_route_says_so(client, make_user):
    _, headers = make_user("dispatcher")
    res = client.get("/map/base.pmtiles", headers=headers)
    assert res.status_code == 404 and "BLUELAMP_MAP_PMTILES" in res.text
