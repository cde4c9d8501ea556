"""`bluelamp import boundaries`: GeoJSON in WGS84 or British National Grid, stored, used for a position's
area, beat and urban/rural, drawn on the map; bad files refused whole; the demo force's shipped files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bluelamp.location import boundaries
from bluelamp.location.boundaries import FileError, Options, import_boundaries
from bluelamp.location.store import AreaBoundary

BNG_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}


def _square(x0: float, y0: float, size: float) -> list[list[list[float]]]:
    return [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]


def _feature(code: str, name: str, coords, kind: str = "Polygon", **props):  # type: ignore[no-untyped-def]
    return {"type": "Feature", "properties": {"BEAT_CD": code, "BEAT_NM": name, **props},
            "geometry": {"type": kind, "coordinates": coords}}


def _write(path: Path, features: list, crs: dict | None = BNG_CRS) -> Path:  # type: ignore[type-arg]
    doc = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        doc["crs"] = crs
    path.write_text(json.dumps(doc))
    return path


BEATS = Options(layer="beat", code_property="BEAT_CD", name_property="BEAT_NM", urban_property="RUC11CD")


def _two_beats(tmp_path: Path) -> Path:
    # Two 2 km squares side by side on the National Grid just east of Stafford town centre.
    return _write(tmp_path / "beats.geojson", [
        _feature("B01", "Stafford Central", _square(391000, 322000, 2000), RUC11CD="C1"),
        _feature("B02", "Stafford East", _square(393000, 322000, 2000), RUC11CD="E2"),
    ])


def _count(db) -> int:  # type: ignore[no-untyped-def]
    with db.unit_of_work(write=False) as session:
        return int(session.execute(select(func.count(AreaBoundary.id))).scalar_one())


def test_british_national_grid_boundaries_import_and_place_a_position(db, tmp_path):
    summary = import_boundaries(db, _two_beats(tmp_path), "geojson", BEATS)
    assert summary.to_dict() == {"rows": 2, "imported": 2, "rejected": 0, "already_present": 0}
    from bluelamp.location.grid import grid_to_wgs84
    from bluelamp.location.model import GridPoint

    central = grid_to_wgs84(GridPoint(392000, 323000, 1))
    east = grid_to_wgs84(GridPoint(394000, 323000, 1))
    outside = grid_to_wgs84(GridPoint(389000, 323000, 1))
    with db.unit_of_work(write=False) as session:
        a = boundaries.locate(session, *central)
        b = boundaries.locate(session, *east)
        c = boundaries.locate(session, *outside)
    assert a is not None and a.beat == "Stafford Central" and a.urban is True
    assert b is not None and b.beat == "Stafford East" and b.urban is False
    assert c is not None and c.beat is None and c.urban is None  # boundaries exist, this point is in none


def test_the_same_file_again_is_already_present_and_a_changed_boundary_is_replaced(db, tmp_path):
    path = _two_beats(tmp_path)
    import_boundaries(db, path, "geojson", BEATS)
    assert import_boundaries(db, path, "geojson", BEATS).to_dict() == {
        "rows": 2, "imported": 0, "rejected": 0, "already_present": 2}
    _write(path, [_feature("B01", "Stafford Central", _square(391000, 322000, 2000), RUC11CD="C1"),
                  _feature("B02", "Stafford East", _square(393000, 322000, 3000), RUC11CD="E2")])
    assert import_boundaries(db, path, "geojson", BEATS).to_dict() == {
        "rows": 2, "imported": 1, "rejected": 0, "already_present": 1}
    assert _count(db) == 2
    from bluelamp.location.grid import grid_to_wgs84
    from bluelamp.location.model import GridPoint

    with db.unit_of_work(write=False) as session:
        place = boundaries.locate(session, *grid_to_wgs84(GridPoint(395500, 324500, 1)))  # only in the larger B02
    assert place is not None and place.beat == "Stafford East"
    from bluelamp.audit.store import AuditEntry

    with db.unit_of_work(write=False) as session:
        actions = session.execute(select(AuditEntry.action).where(AuditEntry.action == "boundaries.imported")).all()
    assert len(actions) == 3


def test_a_hole_is_not_inside_and_a_multipolygon_is_inside_in_any_part(db, tmp_path):
    outer = [[-2.20, 52.70], [-2.00, 52.70], [-2.00, 52.90], [-2.20, 52.90], [-2.20, 52.70]]
    hole = [[-2.15, 52.75], [-2.05, 52.75], [-2.05, 52.85], [-2.15, 52.85], [-2.15, 52.75]]
    island = [[[-1.90, 52.70], [-1.80, 52.70], [-1.80, 52.80], [-1.90, 52.70]]]
    path = _write(tmp_path / "areas.geojson", [
        {"type": "Feature", "properties": {"code": "A1", "name": "Ring and island"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[outer, hole], island]}}], crs=None)
    import_boundaries(db, path, "geojson", Options(layer="area"))
    with db.unit_of_work(write=False) as session:
        ring = boundaries.locate(session, 52.72, -2.18)
        in_hole = boundaries.locate(session, 52.80, -2.10)
        on_island = boundaries.locate(session, 52.72, -1.83)
    assert ring is not None and ring.area == "Ring and island"
    assert in_hole is not None and in_hole.area is None
    assert on_island is not None and on_island.area == "Ring and island"


BOWTIE = [[[391000, 322000], [393000, 324000], [393000, 322000], [391000, 324000], [391000, 322000]]]
FLAT = [[[391000, 322000], [392000, 322000], [393000, 322000], [391000, 322000]]]


@pytest.mark.parametrize(("doc", "crs", "message"), [
    ("not json at all {", None, "not GeoJSON"),
    ({"type": "Feature", "geometry": None}, None, "FeatureCollection"),
    ({"type": "FeatureCollection", "features": []}, None, "no features"),
    ([_feature("B1", "ok", _square(391000, 322000, 1000)), _feature("B2", "bow", BOWTIE)], None,
     "feature 2: polygon 1 ring 1 is self-intersecting"),
    ([_feature("B1", "flat", FLAT)], None, "feature 1: polygon 1 ring 1 is empty"),
    ([_feature("B1", "none", [])], None, "feature 1: the polygon is empty"),
    ([_feature("B1", "open", [[[391000, 322000], [392000, 322000], [392000, 323000], [391000, 323000]]])], None,
     "not closed"),
    ([_feature("B1", "line", [[391000, 322000], [392000, 323000]], kind="LineString")], None,
     "a boundary is a Polygon or MultiPolygon"),
    ([_feature("B1", "ok", _square(391000, 322000, 1000))], {"type": "name", "properties": {"name": "EPSG:3857"}},
     "unknown coordinate reference system 'EPSG:3857'"),
    ([_feature("B1", "ok", _square(391000, 322000, 1000))], "no-crs", "give --crs EPSG:27700"),
    ([{"type": "Feature", "properties": {"BEAT_NM": "no code"}, "geometry": {"type": "Polygon",
      "coordinates": _square(391000, 322000, 1000)}}], None, "no 'BEAT_CD' property"),
    ([_feature("B1", "a", _square(391000, 322000, 1000)), _feature("B1", "b", _square(393000, 322000, 1000))], None,
     "appears twice"),
    ([_feature("B1", "odd", _square(391000, 322000, 1000), RUC11CD="Z9")], None, "not urban or rural"),
])
def test_a_bad_file_is_refused_whole_with_the_reason_and_nothing_is_written(db, tmp_path, doc, crs, message):
    path = tmp_path / "bad.geojson"
    if isinstance(doc, str):
        path.write_text(doc)
    elif isinstance(doc, dict):
        path.write_text(json.dumps(doc))
    else:
        _write(path, doc, crs=None if crs == "no-crs" else (crs or BNG_CRS))
    opts = Options(layer="beat", code_property="BEAT_CD", name_property="BEAT_NM",
                   urban_property="RUC11CD" if "urban" in message else None)
    with pytest.raises(FileError) as exc:
        import_boundaries(db, path, "geojson", opts)
    assert message in str(exc.value)
    assert _count(db) == 0
    from bluelamp.audit.store import AuditEntry

    with db.unit_of_work(write=False) as session:
        assert session.execute(select(AuditEntry.action).where(AuditEntry.action == "boundaries.imported")).first() is None


def test_a_hole_outside_its_polygon_is_refused(db, tmp_path):
    outer = _square(391000, 322000, 2000)[0]
    stray = _square(395000, 322000, 500)[0]
    path = _write(tmp_path / "hole.geojson", [_feature("B1", "stray hole", [outer, stray])])
    with pytest.raises(FileError, match="hole that is not inside"):
        import_boundaries(db, path, "geojson", Options(layer="beat", code_property="BEAT_CD", name_property="BEAT_NM"))


@pytest.mark.parametrize(("value", "urban"), [
    (True, True), (False, False), ("Urban city and town", True), ("Rural village", False), ("A1", True),
    ("D2", False), ("UN1", True), ("RLF1", False), (None, None)])
def test_urban_values_the_open_classifications_use(value, urban):
    assert boundaries.urban_value(value) is urban


def test_a_contact_in_an_imported_boundary_takes_its_area_beat_and_urban(db, tmp_path, client, handler, make_user):
    import_boundaries(db, _two_beats(tmp_path), "geojson", BEATS)
    area_path = _write(tmp_path / "area.geojson", [
        {"type": "Feature", "properties": {"code": "SA", "name": "Stafford Borough"},
         "geometry": {"type": "Polygon", "coordinates": _square(390000, 321000, 6000)}}])
    import_boundaries(db, area_path, "geojson", Options(layer="area"))
    from bluelamp.location.grid import grid_to_wgs84
    from bluelamp.location.model import GridPoint

    lat, lon = grid_to_wgs84(GridPoint(394000, 323000, 1))  # the rural beat
    res = client.post("/api/v1/contacts", headers=handler, json={
        "channel": "999", "narrative": "A man with a knife is threatening people", "location": {"lat": lat, "lon": lon}})
    assert res.status_code == 201, res.text
    body = client.get(f"/api/v1/contacts/{res.json()['id']}", headers=handler).json()
    assert body["area"] == "Stafford Borough"
    assert body["location"]["beat"] == "Stafford East" and body["location"]["urban"] is False
    # the map draws the imported area and beats
    _, dispatcher = make_user("dispatcher")
    gj = client.get("/map/base.geojson", headers=dispatcher).json()
    kinds = {(f["properties"]["kind"], f["properties"].get("name")) for f in gj["features"]}
    assert {("area", "Stafford Borough"), ("boundary", "Stafford Borough"), ("beat", "Stafford Central"),
            ("beat", "Stafford East")} <= kinds


def test_the_demo_force_ships_the_boundaries_its_geography_makes(db):
    from bluelamp.synth import boundaries as demo
    from bluelamp.synth.areas import AREAS

    made = demo.collections()
    for layer, path in demo.FILES.items():
        assert json.loads(path.read_text()) == made[layer], f"{path.name}: run python -m bluelamp.synth.boundaries"
    summary = demo.load(db)
    assert summary["area"]["imported"] == len(AREAS)
    assert summary["beat"]["imported"] == sum(len(a.towns) for a in AREAS)
    with db.unit_of_work(write=False) as session:
        for area in AREAS:
            for town in area.towns:  # every town lies in its own area and beat, urban as the town is
                place = boundaries.locate(session, town.lat, town.lon)
                assert place is not None and (place.area, place.beat, place.urban) == (area.name, town.name, town.urban)


@pytest.mark.slow
def test_the_command_prints_the_summary_and_fails_with_one_line(db, tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bluelamp", "import", "boundaries", *args],
                              capture_output=True, text=True, timeout=300)

    ok = run(str(_two_beats(tmp_path)), "--format", "geojson", "--layer", "beat", "--code-property", "BEAT_CD",
             "--name-property", "BEAT_NM", "--urban-property", "RUC11CD")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout.strip().splitlines()[-1]) == {"rows": 2, "imported": 2, "rejected": 0,
                                                             "already_present": 0}
    bad = _write(tmp_path / "bad.geojson", [_feature("B9", "bow", BOWTIE)])
    refused = run(str(bad), "--code-property", "BEAT_CD", "--name-property", "BEAT_NM", "--crs", "EPSG:27700")
    assert refused.returncode == 1
    assert refused.stderr.strip().count("\n") == 0 and "self-intersecting" in refused.stderr
    assert "nothing was imported" in refused.stderr
    assert _count(db) == 2


@pytest.mark.nodb
def test_the_self_intersection_check_agrees_with_matplotlib_on_random_rings():
    """The vectorised orientation test against matplotlib's own segment crossing test, edge by edge."""
    import numpy as np
    from matplotlib.path import Path as MplPath

    from bluelamp.location.geometry import _self_intersects

    def reference(ring):  # type: ignore[no-untyped-def]
        n = len(ring) - 1
        return any(MplPath(ring[i:i + 2]).intersects_path(MplPath(ring[i + 2:(n if i else n - 1) + 1]), filled=False)
                   for i in range(n - 2) if len(ring[i + 2:(n if i else n - 1) + 1]) >= 2)

    rng = np.random.default_rng(11)
    answers = []
    for _ in range(400):
        pts = rng.random((int(rng.integers(4, 12)), 2))
        ring = np.vstack([pts, pts[:1]])
        answers.append(_self_intersects(ring))
        assert answers[-1] == reference(ring), ring.tolist()
    assert any(answers) and not all(answers)  # both kinds were tried
