"""Issue 12 item 3, the board: every incident the dispatch board shows (its address, flags, notes) is a
read in the access log, once per reader and record within the window however often the board polls, in
the access log's own table (never the audit chain)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bluelamp.audit.store import AccessEntry, AuditEntry

pytestmark = pytest.mark.usefixtures("fresh_access_caches")


def _reads(db, actor: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return [(r.kind, r.record_id, r.route) for r in s.execute(
            select(AccessEntry).where(AccessEntry.actor == actor).order_by(AccessEntry.id)).scalars()]


def test_the_board_logs_each_incident_it_shows_once_per_reader_however_often_it_polls(
        client, db, make_user, make_incident):
    ids = [make_incident(grade=1), make_incident(grade=2)]
    name, dispatcher = make_user("dispatcher")
    other_name, other = make_user("call_handler")
    with db.unit_of_work() as s:
        chain_before = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    for _ in range(5):  # a poll every few seconds
        assert client.get("/api/v1/board", headers=dispatcher).status_code == 200
    assert client.get("/incidents", headers=dispatcher).status_code == 200
    assert client.get("/api/v1/incidents?status=open", headers=other).status_code == 200
    mine = _reads(db, f"user:{name}")
    assert sorted(r for r in mine if r[2] == "/api/v1/board") == sorted(
        ("incident", str(i), "/api/v1/board") for i in ids)
    assert sorted(r for r in mine if r[2] == "/incidents") == sorted(("incident", str(i), "/incidents") for i in ids)
    assert sorted(_reads(db, f"user:{other_name}")) == sorted(
        ("incident", str(i), "/api/v1/incidents") for i in ids)
    with db.unit_of_work() as s:  # reads are not state changes: nothing joins the audit chain
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == chain_before
    _, auditor = make_user("auditor")
    seen = client.get(f"/api/v1/audit/access?record=incident:{ids[0]}", headers=auditor)
    assert seen.status_code == 200
    assert {(r["actor"], r["route"]) for r in seen.json()} == {
        (f"user:{name}", "/api/v1/board"), (f"user:{name}", "/incidents"), (f"user:{other_name}", "/api/v1/incidents")}


def test_an_incident_page_and_its_json_are_reads_of_that_incident(client, db, make_user, make_incident):
    iid = make_incident(grade=1)
    name, dispatcher = make_user("dispatcher")
    assert client.get(f"/api/v1/incidents/{iid}", headers=dispatcher).status_code == 200
    assert client.get(f"/incidents/{iid}", headers=dispatcher).status_code == 200
    assert client.get("/api/v1/incidents/999999", headers=dispatcher).status_code == 404
    assert _reads(db, f"user:{name}") == [("incident", str(iid), f"/api/v1/incidents/{iid}"),
                                          ("incident", str(iid), f"/incidents/{iid}")]
