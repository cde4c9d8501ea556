"""The clock sweep (missed and escalated reviews, recording clocks) and the crime admin bureau."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bluelamp.crime import bureau, service, sweep
from bluelamp.crime.model import CrimeError
from bluelamp.crime.store import BureauTask, CrimeAlert
from bluelamp.policy import load_policy


def _crime(db, who, contact, **kw):
    args = {"offence": "criminal_damage", "risk": "high", "contact_id": contact,
            "parties": [{"role": "victim", "name": "Ali Khan"}]}
    args.update(kw)
    with db.unit_of_work() as session:
        return service.record_crime(session, who, **args).id


def _alerts(db, kind=None):
    with db.unit_of_work() as session:
        q = select(CrimeAlert).where(CrimeAlert.resolved_at.is_(None))
        if kind:
            q = q.where(CrimeAlert.kind == kind)
        return [(a.kind, a.level, a.role) for a in session.execute(q.order_by(CrimeAlert.id)).scalars()]


def test_a_missed_review_alerts_the_supervisor_then_escalates(db, who, make_contact, clock0):
    crime_id = _crime(db, who("investigator"), make_contact())
    clock0.advance(hours=23)
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["reviews_missed"] == 0
    clock0.advance(hours=2)  # 25 h: the high-risk first review (24 h) is missed
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["reviews_missed"] == 1
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["reviews_missed"] == 0  # idempotent
    assert _alerts(db, "review_missed") == [("review_missed", 1, "supervisor")]
    escalate = load_policy().doc("investigation").escalate_after_hours
    clock0.advance(hours=escalate - 2)  # due + escalate - 1 h: missed, not yet escalated
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["reviews_escalated"] == 0
    clock0.advance(hours=2)  # due + escalate + 1 h
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["reviews_escalated"] == 1
    assert ("review_missed", 2, "leader") in _alerts(db, "review_missed")
    with db.unit_of_work() as session:
        service.review(session, crime_id, who("supervisor"), direction="Late review: CCTV still outstanding")
    assert _alerts(db, "review_missed") == []


def test_the_recording_clock_warns_the_bureau_then_alerts_a_supervisor(db, who, make_contact, clock0):
    _crime(db, who("investigator"), make_contact(received_at=clock0.now - timedelta(hours=1)), recorded=False)
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["recording_due_soon"] == 0
    clock0.advance(hours=20)  # due in 3 h; warning at 4 h
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["recording_due_soon"] == 1
    clock0.advance(hours=4)
    with db.unit_of_work() as session:
        counts = sweep.sweep(session)
        assert counts["recording_missed"] == 1 and counts["reviews_missed"] == 0  # no review before recording
    assert _alerts(db, "recording") == [("recording", 1, "cab_officer"), ("recording", 2, "supervisor")]


def test_closed_crimes_are_not_swept(db, who, make_contact, clock0):
    inv = who("investigator")
    crime_id = _crime(db, inv, make_contact())
    with db.unit_of_work() as session:
        service.save_plan(session, crime_id, inv, {"lines_of_enquiry": "Enquiries complete with no result at all"})
        service.request_closure(session, crime_id, inv, outcome="18", evidence={"rationale": "No suspect found"})
        assert service.decide_closure(session, crime_id, who("supervisor"), approve=True).status == "closed"
    clock0.advance(days=30)
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["reviews_missed"] == 0


def test_the_sweep_runs_as_a_scheduled_job(db, who, make_contact, clock0):
    from bluelamp.jobs.runner import run_due
    from bluelamp.jobs.store import Job

    _crime(db, who("investigator"), make_contact())
    with db.unit_of_work() as session:
        assert session.execute(select(Job).where(Job.kind == "crime.sweep")).scalar_one().status == "queued"
    clock0.advance(hours=25)
    assert run_due(db) >= 1
    assert _alerts(db, "review_missed") == [("review_missed", 1, "supervisor")]
    with db.unit_of_work() as session:
        queued = session.execute(select(Job).where(Job.kind == "crime.sweep", Job.status == "queued")).scalars().all()
        assert len(queued) == 1 and queued[0].run_at > clock0.now  # the next one is scheduled


def test_the_bureau_queue_is_ordered_by_due_time_and_counts_hours_saved(db, who, make_contact, clock0):
    inv, cab = who("investigator"), who("cab_officer")
    first = _crime(db, inv, make_contact(received_at=clock0.now - timedelta(hours=5)))
    second = _crime(db, inv, make_contact(received_at=clock0.now - timedelta(hours=1)))
    with db.unit_of_work() as session:
        service.raise_bureau_event(session, second, inv, "classification_query")
        tasks = bureau.queue(session)
        assert [t.crime_id for t in tasks][:2] == [first, second]
        assert [t.kind for t in tasks] == ["recording_check", "recording_check", "classification_query"]
        task_id = tasks[0].id
    with db.unit_of_work() as session:
        assert bureau.assign(session, task_id, cab).assigned_to == cab.username
    with db.unit_of_work() as session:
        bureau.complete(session, task_id, cab)
    with db.unit_of_work() as session:
        summary = bureau.summary(session)
        assert summary["hours_saved"] == 0.2  # 15 minutes for a recording check
        assert summary["open"] == 2 and summary["by_kind"]["recording_check"]["done"] == 1
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="already done"):
        bureau.complete(session, task_id, cab)


def test_only_the_bureau_or_a_supervisor_works_the_queue(db, who, make_contact, clock0):
    _crime(db, who("investigator"), make_contact())
    with db.unit_of_work() as session:
        task_id = session.execute(select(BureauTask.id)).scalar_one()
    with db.unit_of_work() as session, pytest.raises(CrimeError) as err:
        bureau.assign(session, task_id, who("investigator"))
    assert err.value.status == 403
