"""The incident page's timeline: audited events, and stage times on the record with no audit entry."""

from __future__ import annotations

from datetime import timedelta


def test_stage_times_without_an_audit_entry_are_shown_from_the_record(db, make_incident):
    from bluelamp.response import pages
    from bluelamp.response.store import Incident

    iid = make_incident(grade=2)
    with db.unit_of_work() as session:
        inc = session.get(Incident, iid)
        inc.dispatched_at = inc.received_at + timedelta(minutes=3)
        inc.arrived_at = inc.received_at + timedelta(minutes=20)  # as an import writes them: no audit
    with db.unit_of_work() as session:
        events = pages.timeline(session, session.get(Incident, iid))
    actions = [e.get("action") for e in events]
    assert actions.index("incident.opened") < actions.index("incident.dispatched") < actions.index("incident.unit_arrived")
    arrived = next(e for e in events if e.get("action") == "incident.unit_arrived")
    assert arrived["kind"] == "record" and "from the record" in arrived["details"][-1]


def test_an_audited_dispatch_is_not_shown_twice(db, make_incident, make_unit, dispatcher):
    from bluelamp.response import pages, service
    from bluelamp.response.store import Incident

    iid, uid = make_incident(grade=1), make_unit("TLX")
    with db.unit_of_work() as session:
        service.dispatch(session, iid, uid, dispatcher)
    with db.unit_of_work() as session:
        events = pages.timeline(session, session.get(Incident, iid))
    dispatched = [e for e in events if e.get("action") == "incident.dispatched"]
    assert len(dispatched) == 1 and dispatched[0]["kind"] == "incident" and "unit TLX" in dispatched[0]["details"]
