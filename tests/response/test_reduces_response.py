"""Issue 13, defect 6: "reduces the response" is defined once (grade number up, a route that no longer
sends officers, a later attend-by) and used for contact decisions and incident regrades and closures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bluelamp.policy.controls import Response, reduces_response
from bluelamp.response import service
from bluelamp.response.model import ResponseError
from bluelamp.response.store import Incident

T = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize("after,reduces", [
    (Response(2, "deploy", T + timedelta(minutes=60)), True),        # grade number up
    (Response(1, "advice", None), True),                             # no longer sends officers
    (Response(1, "telephone_resolution", None), True),
    (Response(1, "refer:mental_health", None), True),
    (Response(1, "appointment", T + timedelta(hours=4)), True),      # leaves deploy; attend-by later
    (Response(1, "deploy", T + timedelta(minutes=30)), True),        # attend-by later
    (Response(1, "deploy", T + timedelta(minutes=15)), False),       # the same
    (Response(1, "deploy", T + timedelta(minutes=10)), False),       # sooner: an upgrade
])
def test_the_one_definition(after, reduces):
    before = Response(1, "deploy", T + timedelta(minutes=15))
    assert bool(reduces_response(before, after)) is reduces


def test_the_reasons_say_what_was_reduced():
    reasons = reduces_response(Response(1, "deploy", T), Response(1, "advice", None))
    assert any("officers" in r for r in reasons)


def test_a_handler_who_keeps_grade_1_but_routes_to_advice_waits_for_a_supervisor(db, make_incident, principal):
    from bluelamp.contact import service as contacts
    from bluelamp.contact.store import Contact

    iid = make_incident(grade=1)
    with db.unit_of_work() as session:
        incident = session.get(Incident, iid)
        contact = session.get(Contact, incident.contact_id)
        contact.status, contact.proposal = "awaiting_decision", {"grade": 1, "route": "deploy"}
        cid = contact.id
    handler = principal("call_handler")
    with db.unit_of_work() as session:
        c = contacts.decide(session, cid, handler, grade=1, route="advice", reason="caller says all is fine now")
        assert c.status == "awaiting_approval"
    with db.unit_of_work() as session:
        assert session.get(Incident, iid).status != "closed"


def test_a_dispatcher_cannot_close_an_unattended_grade_1_incident(db, fixed_clock, make_incident, dispatcher,
                                                                   supervisor):
    iid = make_incident(grade=1)
    with pytest.raises(ResponseError, match="disposition") as empty, db.unit_of_work() as session:
        service.close_incident(session, iid, dispatcher)
    assert empty.value.status == 422
    with pytest.raises(ResponseError, match="supervisor") as err, db.unit_of_work() as session:
        service.close_incident(session, iid, dispatcher, disposition="caller rang back, no longer needed")
    assert err.value.status == 403
    with db.unit_of_work() as session:  # a supervisor asks; it waits for a second one (test_close_approval.py)
        asked = service.close_incident(session, iid, supervisor, disposition="caller rang back, no longer needed")
        assert asked.status == "awaiting" and asked.closed_at is None


def test_closing_an_attended_incident_needs_no_supervisor(db, fixed_clock, make_incident, make_unit, dispatcher):
    iid, uid = make_incident(grade=1), make_unit("A1")
    with db.unit_of_work() as session:
        service.dispatch(session, iid, uid, dispatcher)
    fixed_clock.advance(minutes=5)
    with db.unit_of_work() as session:
        service.mark_arrived(session, iid, uid, dispatcher)
        assert service.close_incident(session, iid, dispatcher).status == "closed"
