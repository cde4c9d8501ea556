"""Issue 12 item 10: a contact's received_at far in the past (more than an hour) only with a stated
reason, kept in the audit entry; old records come in through the import, which needs none."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bluelamp import clock
from bluelamp.audit.store import AuditEntry


def test_a_backdated_contact_needs_a_reason_and_keeps_it(client, db, make_user):
    _, h = make_user("call_handler")
    recent = clock.iso(clock.now() - timedelta(minutes=50))
    assert client.post("/api/v1/contacts", headers=h, json={"channel": "101", "narrative": "my shed was broken into",
                                                            "received_at": recent}).status_code == 201
    old = clock.iso(clock.now() - timedelta(hours=3))
    res = client.post("/api/v1/contacts", headers=h, json={"channel": "999", "narrative": "help",
                                                            "received_at": old})
    assert res.status_code == 422 and res.json()["detail"].startswith("received_at_reason:"), res.text
    for blank in ("", "   "):
        res = client.post("/api/v1/contacts", headers=h, json={"channel": "999", "narrative": "help",
                                                                "received_at": old, "received_at_reason": blank})
        assert res.status_code == 422, res.text
    res = client.post("/api/v1/contacts", headers=h, json={
        "channel": "999", "narrative": "help", "received_at": old,
        "received_at_reason": "system outage: taken on paper and entered afterwards"})
    assert res.status_code == 201, res.text
    with db.unit_of_work() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "contact.recorded",
                                                   AuditEntry.entity_id == str(res.json()["id"]))).scalar_one()
        assert "system outage: taken on paper" in str(entry.content)
