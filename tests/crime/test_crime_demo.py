"""The demo seeder fills every queue, with deliberate failures the sweep then alerts on."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from bluelamp.crime import sweep
from bluelamp.crime.demo import seed_demo_crimes
from bluelamp.crime.store import Crime


def test_the_demo_seeds_a_year_of_crimes_with_failures_that_the_sweep_finds(db, clock0):
    with db.unit_of_work() as session:
        counts = seed_demo_crimes(session, random.Random(7), clock0.now, crimes=600)
    assert counts["crimes"] == 600 and counts["victims"] == 600
    assert counts["reviews"] > 300 and counts["right6_clocks"] > 10 and counts["bureau_tasks"] > 0
    with db.unit_of_work() as session:
        late = session.execute(select(func.count()).where(Crime.recorded_at > Crime.record_due_at)).scalar_one()
        assert late > 0  # some crimes were recorded after the 24-hour limit
        found = sweep.sweep(session)
    assert found["reviews_missed"] > 0 and found["contact_updates_overdue"] > 0
