"""OS grid references: parsing at any precision, and conversion to WGS84 against Ordnance Survey's
published OSTN15 test points (ETRS89, within a metre of WGS84) without the OSTN15 grid file."""

from __future__ import annotations

import math

import pytest

from bluelamp.location.grid import grid_ref_to_wgs84, grid_to_wgs84
from bluelamp.location.model import GridPoint, check_what3words, parse_grid_ref

# Ordnance Survey's OSTN15 test points (OSTN15_OSGM15_TestInput_OSGBtoETRS / TestOutput): OSGB36
# easting, northing and the published ETRS89 latitude, longitude. Mainland points only.
OS_POINTS = {
    "BLAC": (331534.552, 431920.792, 53.77911025694444, -3.040454906944444),
    "BRIS": (362269.979, 169978.688, 51.42754743361111, -2.544076186111111),
    "CARL": (339921.133, 556034.759, 54.89542340527777, -2.938277414722223),
    "CARM": (241124.573, 220332.638, 51.8589089675, -4.308524766111111),
    "COLC": (599445.578, 225722.824, 51.89436637527778, 0.897243275),
    "DARE": (357455.831, 383290.434, 53.34480280666667, -2.640493207222222),
    "DROI": (389544.178, 261912.151, 52.25529381638889, -2.154586149444444),
    "EDIN": (319188.423, 670947.532, 55.9247826525, -3.294792187777777),
    "FLA1": (525745.658, 470703.211, 54.11685144333333, -0.07773132666666667),
    "GIR1": (397160.479, 805349.734, 57.13902519305555, -2.048560316111111),
    "GLAS": (256340.914, 664697.266, 55.85399952972222, -4.296490155555555),
    "INVE": (267056.756, 846176.969, 57.48625000333333, -4.219263989444444),
    "KING": (562180.535, 319784.993, 52.75136687444444, 0.4015354769444445),
    "LEED": (422242.174, 433818.699, 53.80021519916667, -1.663791675833333),
    "LOND": (530624.963, 178388.461, 51.48936564611111, -0.1199255641666667),
    "NEWC": (424639.343, 565012.700, 54.97912274, -1.616576845555556),
    "NORT": (474335.957, 262047.752, 52.25160950916667, -0.91248957),
    "NOTT": (454002.822, 340834.941, 52.962191095, -1.197476561666667),
    "OSHQ": (438710.908, 114792.248, 50.9312793775, -1.450514340555556),
    "PLYM": (250359.798, 62016.567, 50.43885825472222, -4.108645639722222),
}


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return math.hypot((lat1 - lat2) * 111_320, (lon1 - lon2) * 111_320 * math.cos(math.radians(lat1)))


@pytest.mark.parametrize("name", sorted(OS_POINTS))
def test_published_points_convert_within_five_metres(name):
    e, n, lat, lon = OS_POINTS[name]
    got = grid_to_wgs84(GridPoint(e, n, 1.0))
    assert _metres(got[0], got[1], lat, lon) < 5.0


def _ten_figure(e: float, n: float) -> str:
    """The 10-figure reference of a point, lettered as the National Grid letters its squares."""
    grid = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
    e100, n100 = int(e // 100_000), int(n // 100_000)
    l1 = (19 - n100) // 5 * 5 + (e100 + 10) // 5
    l2 = (19 - n100) * 5 % 25 + e100 % 5
    return f"{grid[l1]}{grid[l2]} {int(e % 100_000):05d} {int(n % 100_000):05d}"


def test_the_helper_letters_squares_as_the_grid_does():
    assert _ten_figure(530624.963, 178388.461) == "TQ 30624 78388"
    assert _ten_figure(388460, 346810) == "SJ 88460 46810"
    assert _ten_figure(319188.423, 670947.532) == "NT 19188 70947"


@pytest.mark.parametrize("name", ["LOND", "NOTT", "DROI", "EDIN", "PLYM"])
def test_ten_figure_references_of_the_points_land_within_five_metres(name):
    e, n, lat, lon = OS_POINTS[name]
    ref = _ten_figure(e, n)
    got_lat, got_lon, precision = grid_ref_to_wgs84(ref)
    assert precision == 1.0
    assert _metres(got_lat, got_lon, lat, lon) < 5.0, ref


def test_a_reference_names_the_centre_of_its_square_at_any_precision():
    assert parse_grid_ref("SJ 8846 4681") == GridPoint(388465.0, 346815.0, 10.0)
    assert parse_grid_ref("sj88464681") == GridPoint(388465.0, 346815.0, 10.0)
    assert parse_grid_ref("SJ 88 46") == GridPoint(388500.0, 346500.0, 1000.0)
    assert parse_grid_ref("SJ") == GridPoint(350000.0, 350000.0, 100000.0)
    assert parse_grid_ref("TQ 30045 80195").easting == 530045.5
    assert parse_grid_ref("388460, 346810") == GridPoint(388460.0, 346810.0, 1.0)


@pytest.mark.parametrize("bad", ["XX 12 34", "AA 1234 5678", "SJ 123", "SJ 12 345", "hello", "SJ 1234567 1234567",
                                 "800000, 100000"])
def test_malformed_or_off_grid_references_are_refused(bad):
    with pytest.raises(ValueError):
        parse_grid_ref(bad)


def test_stoke_town_hall_grid_reference_is_in_hanley():
    lat, lon, _ = grid_ref_to_wgs84("SJ 8846 4681")
    assert _metres(lat, lon, 53.0185, -2.1734) < 50


@pytest.mark.parametrize("text, ok", [("///filled.count.soap", True), ("filled.count.soap", True),
                                      ("index.home.raft", True), ("filled.count", False), ("a.b.c.d", False),
                                      ("filled count soap", False), ("fi11ed.count.soap", False)])
def test_what3words_must_be_three_words(text, ok):
    if ok:
        assert check_what3words(text).startswith("///")
    else:
        with pytest.raises(ValueError):
            check_what3words(text)
