"""Pure rules: clocks, travel estimates, ranking, percentiles, grade mapping and local times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bluelamp.response import model
from bluelamp.response.importers.base import GradeMap, RowError, parse_local

NOW = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)


def unit(uid: int, lat: float, lon: float, **kw: object) -> model.UnitView:
    fields = {"unit_type": "response_car", "skills": frozenset(), "status": "available"} | kw
    return model.UnitView(uid, f"U{uid}", fields["unit_type"], fields["skills"], fields["status"], lat, lon,  # type: ignore[arg-type]
                          fields.get("shift_start"), fields.get("shift_end"))  # type: ignore[arg-type]


def incident(iid: int = 1, grade: int = 1, minutes: float = 15, **kw: object) -> model.IncidentView:
    return model.IncidentView(iid, grade, kw.get("urban", True), kw.get("lat", 52.80), kw.get("lon", -2.12),  # type: ignore[arg-type]
                              NOW + timedelta(minutes=minutes), kw.get("skills", frozenset()))  # type: ignore[arg-type]


def test_haversine_gives_a_known_distance():
    # London (Charing Cross) to Birmingham (New Street): about 163 km in a straight line.
    assert model.haversine_km(51.5074, -0.1278, 52.4778, -1.8990) == pytest.approx(163, abs=2)


def test_rural_roads_are_faster_than_urban_ones():
    travel = model.TravelModel()
    assert travel.eta_s(10, urban=False) < travel.eta_s(10, urban=True)
    assert travel.eta_s(0, urban=True) == travel.turnout_s


def test_it_ranks_available_units_by_estimated_arrival():
    units = [unit(1, 52.90, -2.12), unit(2, 52.81, -2.12), unit(3, 52.85, -2.12)]
    rec = model.recommend(incident(), units, NOW)
    assert [c.unit_id for c in rec.candidates] == [2, 3, 1]
    assert rec.candidates[0].makes_target is True
    assert rec.warnings == []


def test_it_leaves_out_busy_off_shift_and_unskilled_units():
    units = [unit(1, 52.80, -2.12, status="dispatched"),
             unit(2, 52.80, -2.12, shift_start=NOW + timedelta(hours=1)),
             unit(3, 52.80, -2.12, skills=frozenset()),
             unit(4, 52.85, -2.12, skills=frozenset({"firearms"}), unit_type="firearms")]
    rec = model.recommend(incident(skills=frozenset({"firearms"})), units, NOW)
    assert [c.unit_id for c in rec.candidates] == [4]


def test_it_warns_when_no_unit_can_arrive_within_the_target():
    rec = model.recommend(incident(minutes=5), [unit(1, 53.20, -2.12)], NOW)
    assert rec.candidates and rec.candidates[0].makes_target is False
    assert "no available unit can arrive within the target" in rec.warnings[0]


def test_it_warns_when_no_unit_is_suitable():
    rec = model.recommend(incident(), [], NOW)
    assert rec.best is None and "no suitable unit" in rec.warnings[0]


def test_a_waiting_grade_one_keeps_its_best_unit_from_a_lower_grade_incident():
    units = [unit(1, 52.80, -2.12), unit(2, 52.95, -2.12)]
    emergency = incident(iid=9, grade=1, lat=52.80, lon=-2.12)
    rec = model.recommend(incident(iid=2, grade=2, minutes=60), units, NOW, waiting_grade1=[emergency])
    assert [c.unit_id for c in rec.candidates] == [2, 1]
    assert rec.candidates[1].reserved_for == 9


def test_specialists_are_not_spent_on_scheduled_work():
    rec = model.recommend(incident(grade=3, minutes=2880), [unit(1, 52.8, -2.12, unit_type="firearms")], NOW)
    assert rec.best is None


def test_clock_states_for_the_board():
    by = NOW + timedelta(minutes=15)
    assert model.clock_state(by, None, NOW) == "running"
    assert model.clock_state(by, None, by - timedelta(minutes=4)) == "about_to_breach"
    assert model.clock_state(by, None, by + timedelta(seconds=1)) == "breached"
    assert model.clock_state(by, by, NOW) == "met"
    assert model.clock_state(None, None, NOW) == "none"


def test_stage_times_must_be_aware_not_future_and_in_order():
    with pytest.raises(model.ResponseError, match="time zone"):
        model.check_stage_time(datetime(2026, 3, 1, 21, 0), None, NOW, "arrival", "dispatch")
    with pytest.raises(model.ResponseError, match="future"):
        model.check_stage_time(NOW + timedelta(hours=1), None, NOW, "arrival", "dispatch")
    with pytest.raises(model.ResponseError, match="before the dispatch"):
        model.check_stage_time(NOW - timedelta(minutes=5), NOW - timedelta(minutes=1), NOW, "arrival", "dispatch")


def test_percentiles_interpolate_like_numpy_and_are_none_without_data():
    assert model.percentile([], 0.5) is None
    assert model.percentile([10.0], 0.9) == 10.0
    assert model.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert model.percentile([0.0, 10.0], 0.9) == pytest.approx(9.0)


def test_the_default_grade_mapping_is_the_contracts():
    m = GradeMap("0-1=1,2=2,3-4=3,*=4")
    assert [m.grade(p) for p in ("0", "1", "2", "3", "4", "5", "8", "", "x")] == [1, 1, 2, 3, 3, 4, 4, 4, 4]


def test_a_custom_grade_mapping_is_read_and_a_bad_one_refused():
    assert GradeMap("1=1,2-3=2,*=3").grade("3") == 2
    with pytest.raises(ValueError, match="bad grade mapping"):
        GradeMap("1=9")
    with pytest.raises(ValueError, match="backwards"):
        GradeMap("4-2=1")


NY = ZoneInfo("America/New_York")


def test_local_times_become_utc_on_either_side_of_daylight_saving():
    assert parse_local("2025-08-24 00:07:06.000", NY, "c") == datetime(2025, 8, 24, 4, 7, 6, tzinfo=UTC)
    assert parse_local("2025-12-01 00:07:06", NY, "c") == datetime(2025, 12, 1, 5, 7, 6, tzinfo=UTC)


def test_a_repeated_hour_takes_the_reading_that_keeps_the_row_in_order():
    received = parse_local("2025-11-02 01:38:20", NY, "start")
    assert received == datetime(2025, 11, 2, 5, 38, 20, tzinfo=UTC)  # first 01:38 (EDT)
    dispatched = parse_local("2025-11-02 01:06:14", NY, "dispatch", not_before=received)
    assert dispatched == datetime(2025, 11, 2, 6, 6, 14, tzinfo=UTC)  # second 01:06 (EST)
    assert parse_local("2025-11-02 01:50:00", NY, "arrival", not_before=received) == \
        datetime(2025, 11, 2, 5, 50, tzinfo=UTC)


def test_a_time_skipped_by_the_clocks_going_forward_is_a_row_error():
    with pytest.raises(RowError, match="does not exist"):
        parse_local("2025-03-09 02:30:00", NY, "Incident_Start_Time")
    with pytest.raises(RowError, match="bad date"):
        parse_local("2025-13-01 00:00:00", NY, "Incident_Start_Time")
