"""The demo force looks like a real day: places that agree with the words, appointments that wait until
their time, cars kept free for the next emergency, victims with their own names and care that is mostly
(not always) done."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bluelamp import clock
from bluelamp.bureau.store import BureauTask
from bluelamp.crime.demo import seed_demo_crimes
from bluelamp.response.demo import MAX_COMMITTED, _times, seed_units_and_dispatch
from bluelamp.response.store import Incident, Unit
from bluelamp.synth.text import place_in
from bluelamp.victims.store import Victim

END = datetime(2026, 3, 6, 21, 0, tzinfo=UTC)


@pytest.mark.nodb
@pytest.mark.parametrize(("text", "place"), [
    ("Caller was punched outside the chip shop on mill lane. Suspect went towards High Street.",
     "The chip shop on Mill Lane"),
    ("there's a man with a knife chasing someone down Church Street HURRY", None),
    ("Caller reports a group fighting on Queen Street, one has a bat.", "Queen Street"),
    ("Lorry broken down on the A50, no lights.", "The A50"),
    ("My partner hit me, he is still in the house.", None),
])
def test_the_place_a_narrative_names_becomes_its_location(text, place):
    assert place_in(text) == place


@pytest.mark.nodb
def test_an_appointment_is_awaiting_until_officers_set_off_shortly_before_it():
    rng = random.Random(3)
    received = END - timedelta(hours=30)
    attended = [t for t in (_times(rng, 3, True, received, received + timedelta(hours=48)) for _ in range(300))
                if t["arrived_at"] is not None]
    assert len(attended) >= 150  # most appointments fall before now, so the checks below are not vacuous
    for t in attended:
        assert t["arrived_at"] - t["dispatched_at"] <= timedelta(minutes=35)
        assert received <= t["dispatched_at"] <= t["enroute_at"] <= t["arrived_at"]


def _incident(session, grade: int, received: datetime) -> None:  # type: ignore[no-untyped-def]
    session.add(Incident(agency="police", source="demo", grade=grade, status="awaiting", flags=[], urban=True,
                         lat=52.8, lon=-2.1, location_description="High Street, Stone", area="North",
                         received_at=received, attend_by=received + timedelta(minutes=15), extra={}))


def test_a_busy_evening_still_leaves_response_cars_free_for_the_next_emergency(db):
    previous = clock.set_clock(clock.FixedClock(END))
    try:
        with db.unit_of_work() as session:
            for k in range(40):   # far more live jobs than one area's cars
                _incident(session, 1 if k % 3 == 0 else 2, END - timedelta(minutes=3 + k))
        seed_units_and_dispatch(db, random.Random(11), END - timedelta(days=1), END)
    finally:
        clock.set_clock(previous)
    with db.unit_of_work() as session:
        cars = list(session.scalars(select(Unit).where(Unit.unit_type == "response_car")))
        free = [u for u in cars if u.status == "available"]
        assert len(free) >= len(cars) * (1 - MAX_COMMITTED) - 1
        states = dict(session.execute(select(Incident.status, func.count()).group_by(Incident.status)).all())
    assert states.get("awaiting", 0) > 0            # the rest wait in the queue, as on a real busy night
    assert "en_route" not in states or states["en_route"] < 40


def test_victims_care_is_mostly_done_and_some_is_not(db):
    with db.unit_of_work() as session:
        seed_demo_crimes(session, random.Random(5), END, crimes=500, days=60)
    with db.unit_of_work() as session:
        victims = list(session.scalars(select(Victim)))
        tasks = list(session.scalars(select(BureauTask)))
    needs = sum(v.needs_assessed_at is not None for v in victims) / len(victims)
    vps = sum(v.vps_offered_at is not None for v in victims) / len(victims)
    done = sum(t.status == "done" for t in tasks) / len(tasks)
    assert 0.7 <= needs < 0.97 and 0.4 <= vps < 0.9 and 0.6 <= done < 1.0
    assert len({v.name for v in victims}) > 0.8 * len(victims)   # not a dozen names over and over
    assert all(v.needs_assessed_at is None or v.needs_assessed_at <= END for v in victims)
