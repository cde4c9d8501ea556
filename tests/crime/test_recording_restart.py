"""Issue 13, defect 8: the 24-hour recording clock cannot be restarted silently. A later `reported_at`
than the contact needs a reason, and the original clock is kept (and is the one measured)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bluelamp.crime import service
from bluelamp.crime.model import CrimeError
from bluelamp.crime.store import Crime
from bluelamp.performance import service as perf


def test_a_later_reported_at_without_a_reason_is_refused(db, who, make_contact, clock0, count):
    contact = make_contact(received_at=clock0.now - timedelta(hours=30))
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="reason") as err:
        service.record_crime(session, who("investigator"), offence="burglary_residential", risk="low",
                             contact_id=contact, reported_at=clock0.now - timedelta(hours=2))
    assert err.value.field == "restart_reason"
    assert count(Crime) == 0


def test_a_restart_with_a_reason_keeps_the_original_clock_and_is_measured_on_it(db, who, make_contact, clock0):
    received = clock0.now - timedelta(hours=30)
    contact = make_contact(received_at=received)
    with db.unit_of_work() as session:
        crime = service.record_crime(session, who("investigator"), offence="burglary_residential", risk="low",
                                     contact_id=contact, reported_at=clock0.now - timedelta(hours=2),
                                     restart_reason="the caller first reported a lost bag; theft reported later")
        assert crime.record_due_at == clock0.now + timedelta(hours=22)
        assert crime.original_record_due_at == received + timedelta(hours=24)
        assert "lost bag" in (crime.recording_restart_reason or "")
    with db.unit_of_work() as session:
        board = perf.dashboard(session, date(2026, 3, 1), date(2026, 3, 2))
    m = {x["key"]: x for x in board["measures"]}["crime_recorded_24h"]
    assert (m["numerator"], m["denominator"]) == (0, 1)  # recorded 30 h after the report: missed
