"""Issue 13, defects 4 and 5: a measure's denominator is what fell due, and a clock not yet due is not a
figure (reviews_on_time, crime_recorded_24h)."""

from __future__ import annotations

from datetime import date, timedelta

from bluelamp.crime import service as crimes
from bluelamp.performance import service as perf

GOOD = "Detailed enough text describing what will be done and by whom."


def _figure(db, key, d_from=date(2026, 3, 1), d_to=date(2026, 3, 31)):
    with db.unit_of_work() as session:
        board = perf.dashboard(session, d_from, d_to)
    m = {m["key"]: m for m in board["measures"]}[key]
    return m["numerator"], m["denominator"]


def _crime(db, who, contact, risk="high", **kw):
    with db.unit_of_work() as session:
        return crimes.record_crime(session, who("investigator"), offence="burglary_residential", risk=risk,
                                   contact_id=contact, **kw).id


def test_a_review_that_fell_due_and_was_never_done_counts_as_missed(db, who, make_contact, clock0):
    on_time = _crime(db, who, make_contact())
    never = _crime(db, who, make_contact())
    late = _crime(db, who, make_contact())
    closed_overdue = _crime(db, who, make_contact())
    not_due = _crime(db, who, make_contact(), risk="low")  # first review due in 28 days
    sup = who("supervisor")
    with db.unit_of_work() as session:
        crimes.review(session, on_time, sup, direction="Carry on with the house-to-house enquiries.")
    clock0.now += timedelta(hours=30)  # every high-risk first review (24 h) has fallen due
    with db.unit_of_work() as session:
        crimes.review(session, late, sup, direction="Late review: carry on with the enquiries.")
        crimes.save_plan(session, closed_overdue, sup, {"lines_of_enquiry": GOOD})
        crimes.request_closure(session, closed_overdue, sup, outcome="18",
                               evidence={"rationale": "All lines of enquiry exhausted, none identified"})
    _ = (never, not_due)
    assert _figure(db, "reviews_on_time") == (1, 4)
    with db.unit_of_work() as session:
        listed = perf.records(session, "reviews_on_time", date(2026, 3, 1), date(2026, 3, 31), limit=100)
        assert listed["total"] == 4


def test_a_crime_still_inside_its_24_hours_is_not_yet_a_figure(db, who, make_contact, clock0):
    _crime(db, who, make_contact(), recorded=True)                     # recorded in time: met
    _crime(db, who, make_contact(received_at=clock0.now - timedelta(hours=30)), recorded=False)  # overdue: missed
    _crime(db, who, make_contact(received_at=clock0.now - timedelta(hours=1)), recorded=False)   # not yet due
    assert _figure(db, "crime_recorded_24h") == (1, 2)
