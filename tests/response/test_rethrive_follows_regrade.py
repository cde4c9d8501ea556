"""The re-THRIVE prompt follows the attend-by when an incident is regraded; a crashed worker's job
runs again once its lease has passed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bluelamp import clock
from bluelamp.jobs.runner import LEASE_S, enqueue, handler, run_due
from bluelamp.jobs.store import Job
from bluelamp.response import regrades, service


def _prompt_at(db, incident_id):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return s.execute(select(Job.run_at).where(Job.kind == "incident.rethrive", Job.status == "queued",
                                                  Job.dedupe_key.like(f"rethrive:{incident_id}:%"))).scalar_one()


def test_an_upgrade_from_2_to_1_brings_the_prompt_forward_to_the_new_attend_by(db, fixed_clock, make_incident, who):
    iid = make_incident(grade=2, urban=True)
    received = clock.now()
    assert _prompt_at(db, iid) == received + timedelta(minutes=60)
    fixed_clock.advance(minutes=5)
    with db.unit_of_work() as s:
        service.regrade(s, iid, 1, "a weapon is now mentioned", who("dispatcher"))
    assert _prompt_at(db, iid) == received + timedelta(minutes=15)


def test_an_upgrade_after_the_new_attend_by_has_passed_prompts_at_once(db, fixed_clock, make_incident, who):
    iid = make_incident(grade=3, urban=True)
    received = clock.now()
    assert _prompt_at(db, iid) == received + timedelta(hours=48)
    fixed_clock.advance(minutes=30)  # grade 1 would have been due 15 minutes ago
    with db.unit_of_work() as s:
        service.regrade(s, iid, 1, "the caller rang back: he is at the door with a knife", who("dispatcher"))
    assert _prompt_at(db, iid) == clock.now()
    assert run_due(db) >= 1  # and it is due now: the handler prompts a re-assessment
    from bluelamp.contact.store import Reassessment

    with db.unit_of_work() as s:
        assert s.execute(select(Reassessment)).scalars().all()


def test_an_approved_downgrade_moves_the_prompt_later_and_a_pending_one_does_not(db, fixed_clock, make_incident,
                                                                                   who):
    iid = make_incident(grade=1, urban=True)
    received = clock.now()
    with db.unit_of_work() as s:
        service.regrade(s, iid, 2, "the suspect has left; the victim is with family", who("supervisor"))
    assert _prompt_at(db, iid) == received + timedelta(minutes=15)  # pending: the grade 1 clock stands
    with db.unit_of_work() as s:
        regrades.decide_downgrade(s, iid, who("supervisor"), approve=True)
    assert _prompt_at(db, iid) == received + timedelta(minutes=60)


RUNS: list[int] = []


@handler("test.lease")
def _lease_job(session, payload):  # type: ignore[no-untyped-def]
    RUNS.append(int(payload["n"]))


def test_a_job_left_running_by_a_crashed_worker_runs_again_after_its_lease(db, fixed_clock):
    RUNS.clear()
    with db.unit_of_work() as s:
        enqueue(s, "test.lease", {"n": 1}, clock.now())
    # A worker claims the job, then dies before running it: the claim is what run_due commits first.
    with db.unit_of_work() as s:
        job = s.execute(select(Job)).scalar_one()
        job.status, job.attempts, job.run_at = "running", 1, clock.now() + timedelta(seconds=LEASE_S)
    assert run_due(db) == 0 and RUNS == []  # the lease still holds: nobody else takes it
    fixed_clock.advance(seconds=LEASE_S + 1)
    assert run_due(db) == 1 and RUNS == [1]
    with db.unit_of_work() as s:
        job = s.execute(select(Job)).scalar_one()
        assert job.status == "done" and job.attempts == 2


def test_a_job_that_keeps_killing_its_worker_is_finally_marked_failed(db, fixed_clock):
    RUNS.clear()
    with db.unit_of_work() as s:
        enqueue(s, "test.lease", {"n": 2}, clock.now())
        s.flush()
        job = s.execute(select(Job)).scalar_one()
        job.status, job.attempts, job.run_at = "running", 5, clock.now() - timedelta(seconds=1)
    assert run_due(db) == 0 and RUNS == []
    with db.unit_of_work() as s:
        job = s.execute(select(Job)).scalar_one()
        assert job.status == "failed" and job.last_error == "LeaseExpired"
