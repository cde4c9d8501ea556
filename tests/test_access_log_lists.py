"""Issue 12 item 3 for lists and sockets: list routes that show personal data record by record (the
contact queue's snippets, the victims' clocks) and transcripts opened on the operator console are in
the access log; the victims' clocks show only the victims the reader may read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bluelamp.audit.store import AccessEntry
from bluelamp.crime import service as crimes
from bluelamp.victims.store import Victim
from citizen_socket import citizen_socket

CALL = {"channel": "999", "narrative": "My neighbour is shouting at his kids and throwing things",
        "caller": {"name": "Ash Reed", "phone": "07700 900321"}}


pytestmark = pytest.mark.usefixtures("fresh_access_caches")


def _reads(db, actor):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return [(r.kind, r.record_id, r.route) for r in s.execute(
            select(AccessEntry).where(AccessEntry.actor == actor).order_by(AccessEntry.id)).scalars()]


def test_the_contact_queue_logs_each_contact_whose_words_it_shows_once_per_poll_window(client, db, make_user):
    _, handler = make_user("call_handler")
    ids = [client.post("/api/v1/contacts", json=CALL, headers=handler).json()["id"] for _ in range(2)]
    name, disp = make_user("dispatcher")
    assert client.get("/contacts", headers=disp).status_code == 200
    assert client.get("/contacts", headers=disp, params={"rows": 1}).status_code == 200  # the page's poll
    got = _reads(db, f"user:{name}")
    assert sorted(got) == sorted(("contact", str(i), "/contacts") for i in ids)  # once each, not per poll


def test_a_queue_that_cannot_be_logged_is_not_shown(client, db, make_user, monkeypatch):
    from bluelamp.audit import access

    _, handler = make_user("call_handler")
    client.post("/api/v1/contacts", json=CALL, headers=handler)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(access, "write_many", broken)
    res = client.get("/contacts", headers=handler)
    assert res.status_code == 503 and "Ash Reed" not in res.text and "shouting" not in res.text


def _victim_due(db, who, make_contact, team):  # type: ignore[no-untyped-def]
    from bluelamp import clock

    oic = who("investigator", team=team)
    with db.unit_of_work() as s:
        crime = crimes.record_crime(s, oic, offence="violence_without_injury", risk="medium",
                                    contact_id=make_contact(), parties=[{"role": "victim", "name": f"Vic {team}"}])
        victim = s.execute(select(Victim).where(Victim.crime_id == crime.id)).scalar_one()
        victim.next_update_due_at = clock.now() + timedelta(hours=1)
        return victim.id


def test_the_victims_clocks_show_a_teams_victims_to_that_team_and_log_them(client, db, who, make_user,
                                                                           make_contact, clock0):
    ours, theirs = _victim_due(db, who, make_contact, "A"), _victim_due(db, who, make_contact, "B")
    name, care = make_user("victim_care", team="A")
    body = client.get("/api/v1/victims/clocks/due", headers=care).json()
    assert {u["victim_id"] for u in body["updates"]} == {ours}
    page = client.get("/victims/clocks", headers=care).text
    assert "Vic A" in page and "Vic B" not in page
    assert _reads(db, f"user:{name}") == [("victim", str(ours), "/api/v1/victims/clocks/due"),
                                          ("victim", str(ours), "/victims/clocks")]
    _, sup = make_user("supervisor", team="C")  # supervisors oversee every team's victims
    assert {u["victim_id"] for u in client.get("/api/v1/victims/clocks/due", headers=sup).json()["updates"]} \
        == {ours, theirs}


def test_a_transcript_opened_on_the_console_is_in_the_access_log(client, db, form_login):
    from bluelamp.identity import service

    token = client.post("/api/v1/chat/start", json={"name": "Mo"}).json()["token"]
    with citizen_socket(client, token) as ws:
        ws.send_json({"type": "message", "client_id": "c0", "body": "Someone is following me home"})
        ws.receive_json()
    with db.unit_of_work() as s:
        service.add_user(s, "opwatch", ["chat_operator"], "correct horse battery")
    form_login(client, "opwatch")
    with client.websocket_connect("/chat/ws/operator") as op:
        op.send_json({"type": "take"})
        for _ in range(20):
            frame = op.receive_json()
            if frame["type"] == "chat_view":
                break
        chat_id = frame["chat"]["id"]
    assert ("chat", str(chat_id), "/chat/ws/operator") in _reads(db, "user:opwatch")


def test_the_bureau_queue_logs_the_victims_its_letters_name(client, db, who, make_user, make_contact, clock0):
    from bluelamp.crime import bureau

    vid = _victim_due(db, who, make_contact, "A")
    with db.unit_of_work() as s:
        victim = s.get(Victim, vid)
        bureau.create_task(s, "victim_update", actor="user:test", crime_id=victim.crime_id, victim_id=vid,
                           detail={"letter": "Dear Vic A, an arrest has been made"})
    name, cab = make_user("cab_officer", team="Bureau")
    assert "Vic A" in client.get("/api/v1/bureau/tasks", headers=cab).text
    assert "Vic A" in client.get("/bureau", headers=cab).text
    assert _reads(db, f"user:{name}") == [("victim", str(vid), "/api/v1/bureau/tasks"),
                                          ("victim", str(vid), "/bureau")]
