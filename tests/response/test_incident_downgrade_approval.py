"""Issue 12 item 8: an incident downgrade is a pending request that a second supervisor approves or
refuses; the incident keeps its grade and clock until then; upgrades still apply at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bluelamp.audit.store import AuditEntry
from bluelamp.response import regrades, service
from bluelamp.response.model import ResponseError
from bluelamp.response.store import Incident, IncidentRegrade, RegradeRequest


def _actions(db, iid):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return [e.action for e in s.execute(select(AuditEntry).where(
            AuditEntry.entity == "incident", AuditEntry.entity_id == str(iid)).order_by(AuditEntry.seq)).scalars()]


def test_a_supervisors_downgrade_keeps_the_grade_and_clock_until_another_supervisor_approves(
        db, fixed_clock, make_incident, principal):
    iid = make_incident(grade=1)
    asker, other = principal("supervisor"), principal("supervisor")
    with db.unit_of_work() as s:
        before = s.get(Incident, iid).attend_by
        service.regrade(s, iid, 3, "offender left an hour ago", asker)
    with db.unit_of_work() as s:
        inc = s.get(Incident, iid)
        assert (inc.grade, inc.attend_by) == (1, before)
        req = regrades.pending_for(s, iid)
        assert req is not None and (req.from_grade, req.to_grade, req.by) == (1, 3, asker.actor)
        assert req.reduces and "grade 1 to grade 3" in req.reduces[0]
    with pytest.raises(ResponseError, match="of their own") as err, db.unit_of_work() as s:
        regrades.decide_downgrade(s, iid, asker, approve=True)
    assert err.value.status == 403
    fixed_clock.advance(minutes=2)
    with db.unit_of_work() as s:
        regrades.decide_downgrade(s, iid, other, approve=True, note="agreed on the log")
    with db.unit_of_work() as s:
        inc = s.get(Incident, iid)
        assert inc.grade == 3 and inc.attend_by == inc.received_at + timedelta(hours=48)
        row = s.execute(select(IncidentRegrade)).scalar_one()
        assert (row.by, row.approved_by, row.reason) == (asker.actor, other.actor, "offender left an hour ago")
        assert s.execute(select(RegradeRequest)).scalar_one().status == "approved"
        assert regrades.pending_for(s, iid) is None
    assert _actions(db, iid)[-2:] == ["incident.downgrade_requested", "incident.downgrade_approved"]


def test_a_refused_downgrade_leaves_the_grade_and_is_audited(db, fixed_clock, make_incident, principal):
    iid = make_incident(grade=2)
    with db.unit_of_work() as s:
        service.regrade(s, iid, 4, "no longer needs officers", principal("supervisor"))
    with db.unit_of_work() as s:
        regrades.decide_downgrade(s, iid, principal("supervisor"), approve=False, note="victim still at risk")
    with db.unit_of_work() as s:
        assert s.get(Incident, iid).grade == 2
        req = s.execute(select(RegradeRequest)).scalar_one()
        assert (req.status, req.note) == ("refused", "victim still at risk")
        assert s.execute(select(IncidentRegrade)).first() is None
    assert _actions(db, iid)[-1] == "incident.downgrade_refused"
    with pytest.raises(ResponseError, match="no downgrade awaiting") as err, db.unit_of_work() as s:
        regrades.decide_downgrade(s, iid, principal("supervisor"), approve=True)
    assert err.value.status == 409


def test_only_one_downgrade_waits_at_a_time(db, fixed_clock, make_incident, principal):
    iid = make_incident(grade=1)
    with db.unit_of_work() as s:
        service.regrade(s, iid, 2, "calmer", principal("supervisor"))
    with pytest.raises(ResponseError, match="already has a downgrade") as err, db.unit_of_work() as s:
        service.regrade(s, iid, 3, "calmer still", principal("supervisor"))
    assert err.value.status == 409


def test_an_upgrade_applies_at_once_and_withdraws_a_pending_downgrade(db, fixed_clock, make_incident, principal):
    iid = make_incident(grade=2)
    with db.unit_of_work() as s:
        service.regrade(s, iid, 3, "offender left", principal("supervisor"))
    with db.unit_of_work() as s:
        service.regrade(s, iid, 1, "he is back with a knife", principal("dispatcher"))
    with db.unit_of_work() as s:
        assert s.get(Incident, iid).grade == 1
        assert s.execute(select(RegradeRequest)).scalar_one().status == "withdrawn"
    with pytest.raises(ResponseError, match="no downgrade awaiting"), db.unit_of_work() as s:
        regrades.decide_downgrade(s, iid, principal("supervisor"), approve=True)
    assert _actions(db, iid)[-2:] == ["incident.downgrade_withdrawn", "incident.regraded"]


def test_closing_the_incident_withdraws_its_pending_downgrade(db, fixed_clock, make_incident, make_unit, principal):
    iid, uid = make_incident(grade=1), make_unit("A1")
    disp = principal("dispatcher")
    with db.unit_of_work() as s:
        service.regrade(s, iid, 2, "calmer", principal("supervisor"))
    with db.unit_of_work() as s:
        service.dispatch(s, iid, uid, disp)
        service.mark_arrived(s, iid, uid, disp)
        service.close_incident(s, iid, disp, disposition="dealt with")
    with db.unit_of_work() as s:
        assert s.execute(select(RegradeRequest)).scalar_one().status == "withdrawn"


def test_the_api_shows_the_pending_downgrade_on_the_incident_and_the_board(client, make_user, make_incident):
    iid = make_incident(grade=1)
    _, asker = make_user("supervisor")
    _, other = make_user("supervisor")
    _, disp = make_user("dispatcher")
    body = {"grade": 2, "reason": "both parties separated"}
    assert client.post(f"/api/v1/incidents/{iid}/regrade", headers=asker, json=body).status_code == 200
    row = next(r for r in client.get("/api/v1/board", headers=disp).json()["incidents"] if r["id"] == iid)
    assert row["grade"] == 1 and row["pending_regrade"]["to_grade"] == 2
    own = client.post(f"/api/v1/incidents/{iid}/approval", headers=asker, json={"approve": True})
    assert own.status_code == 403 and "approver" in own.json()["detail"]
    assert client.post(f"/api/v1/incidents/{iid}/approval", headers=disp, json={"approve": True}).status_code == 403
    bad = client.post(f"/api/v1/incidents/{iid}/approval", headers=other, json={"approve": "perhaps"})
    assert bad.status_code == 422 and "approve" in bad.text
    res = client.post(f"/api/v1/incidents/{iid}/approval", headers=other, json={"approve": True})
    assert res.status_code == 200 and res.json()["grade"] == 2 and res.json()["pending_regrade"] is None
    [done] = res.json()["regrades"]
    assert done["approved_by"] and done["approved_by"] != done["by"]


def test_the_incident_page_shows_the_pending_downgrade_and_offers_the_decision_to_another_supervisor(
        client, make_user, make_incident):
    iid = make_incident(grade=1)
    _, asker = make_user("supervisor")
    _, other = make_user("supervisor")
    _, disp = make_user("dispatcher")
    client.post(f"/api/v1/incidents/{iid}/regrade", headers=asker, json={"grade": 3, "reason": "left the area"})
    own = client.get(f"/incidents/{iid}", headers=asker).text
    assert 'id="pending-regrade"' in own and "left the area" in own
    assert 'id="pr-approve"' not in own and "Another supervisor must approve" in own
    assert 'id="pr-approve"' in client.get(f"/incidents/{iid}", headers=other).text
    seen = client.get(f"/incidents/{iid}", headers=disp).text
    assert 'id="pending-regrade"' in seen and 'id="pr-approve"' not in seen
    client.post(f"/api/v1/incidents/{iid}/approval", headers=other, json={"approve": False, "note": "not yet"})
    after = client.get(f"/incidents/{iid}", headers=disp).text
    assert 'id="pending-regrade"' not in after
    assert "Downgrade requested (awaiting a second supervisor)" in after and "Downgrade refused" in after
    assert "note: not yet" in after
