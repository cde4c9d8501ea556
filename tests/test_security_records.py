"""Person records outsiders cannot change (issue 12 item 1), the access log (item 3), need to know as a
matrix of role x record kind x relationship (item 2), and times from the future (item 10)."""

from __future__ import annotations

import pytest

from citizen_socket import citizen_socket

VICTIM = {"name": "Rhea Stone", "phone": "07700 900500", "dob": "1988-02-03", "address": "12 Refuge Road, Leek",
          "role": "victim"}
HIST = "test history, entered afterwards"  # a received_at over an hour back needs a reason
CALL = {"channel": "999", "received_at": "2026-03-01T21:00:00Z", "received_at_reason": HIST,
        "narrative": "My partner hit me and threatened me with a knife, he has gone now",
        "caller": VICTIM,
        "people": [{"name": "Kai Stone", "dob": "2016-05-05", "address": "12 Refuge Road, Leek", "role": "other"}]}


@pytest.fixture(autouse=True)
def _quiet_detector():  # type: ignore[no-untyped-def]
    from bluelamp.audit.access import detector

    detector.clear()
    yield
    detector.clear()


@pytest.fixture
def handler(make_user):  # type: ignore[no-untyped-def]
    return make_user("call_handler")


def _report(client, **caller):  # type: ignore[no-untyped-def]
    body = {"what_happened": "I want to report my neighbour for threatening me in the street last week",
            "name": caller.get("name"), "phone": caller.get("phone"), "address": caller.get("address"),
            "reporting_for": "myself"}
    res = client.post("/api/v1/online-reports", json={k: v for k, v in body.items() if v is not None})
    assert res.status_code == 201, res.text
    return int(res.json()["reference"][2:])


def test_an_online_report_with_a_known_phone_does_not_rewrite_the_person(client, handler):
    _, h = handler
    first = client.post("/api/v1/contacts", json=CALL, headers=h).json()
    contact = client.get(f"/api/v1/contacts/{first['id']}", headers=h).json()
    person_id = contact["caller"]["person_id"]
    assert contact["caller"]["address"] == VICTIM["address"] and contact["details_verified"] is True

    # The attacker knows the victim's phone number and files reports in the victim's name and not.
    rid = _report(client, name="Someone Else", phone=VICTIM["phone"], address="99 Attacker Street, Leek")
    rid2 = _report(client, name="Rhea Stone", phone=VICTIM["phone"], address="99 Attacker Street, Leek")
    person = client.get(f"/api/v1/people/{person_id}", headers=h).json()
    assert person["current"]["address"]["value"] == VICTIM["address"]
    assert person["current"]["address"]["verified"] is True
    assert person["current"]["name"]["value"] == "Rhea Stone"
    # The unverified address is in the history, marked so, with its source.
    planted = [x for x in person["history"] if x["value"] == "99 Attacker Street, Leek"]
    assert planted and all(not x["verified"] and x["source"] == "contact:online" for x in planted)
    # The report is stored with its details as given; a phone alone did not link "Someone Else".
    other = client.get(f"/api/v1/contacts/{rid}", headers=h).json()
    assert other["caller"]["name"] == "Someone Else" and other["caller"]["person_id"] != person_id
    assert other["details_verified"] is False
    linked = client.get(f"/api/v1/contacts/{rid2}", headers=h).json()
    assert linked["caller"]["person_id"] == person_id  # same name and phone: the same person, unchanged

    # The household check of a later 999 call still lists the child, and no stranger.
    again = dict(CALL, received_at="2026-03-02T21:00:00Z", people=[])
    res = client.post("/api/v1/contacts", json=again, headers=h).json()
    later = client.get(f"/api/v1/contacts/{res['id']}", headers=h).json()
    assert [x["name"] for x in later["household"]] == ["Kai Stone"]


def test_a_report_cannot_plant_a_household_at_a_victims_address(client, handler):
    _, h = handler
    body = {"what_happened": "My little brother is scared at home", "name": "Fake Child", "dob": "2019-01-01",
            "address": VICTIM["address"], "reporting_for": "myself"}
    assert client.post("/api/v1/online-reports", json=body).status_code == 201
    res = client.post("/api/v1/contacts", json=dict(CALL, people=[]), headers=h).json()
    contact = client.get(f"/api/v1/contacts/{res['id']}", headers=h).json()
    assert all(x["name"] != "Fake Child" for x in contact["household"])


def test_markers_never_flow_from_an_unverified_report_onto_a_known_person(client, handler, db):
    from bluelamp.contact.store import Person

    _, h = handler
    first = client.post("/api/v1/contacts", headers=h, json={
        "channel": "101", "received_at": "2026-03-01T10:00:00Z", "received_at_reason": HIST, "narrative": "Someone keyed my car",
        "caller": {"name": "Ola Bee", "phone": "07700 900600", "dob": "1970-01-01", "role": "victim"}}).json()
    pid = client.get(f"/api/v1/contacts/{first['id']}", headers=h).json()["caller"]["person_id"]
    with db.unit_of_work() as s:
        before = list(s.get(Person, pid).markers)
    body = {"what_happened": "I was raped and I feel like killing myself, I have a learning disability",
            "name": "Ola Bee", "phone": "07700 900600", "dob": "1970-01-01", "reporting_for": "myself"}
    assert client.post("/api/v1/online-reports", json=body).status_code == 201
    with db.unit_of_work() as s:
        assert list(s.get(Person, pid).markers) == before


def test_phone_alone_never_links_two_people_but_still_counts_repeat_calls(client, handler):
    _, h = handler
    ids = []
    for i, name in enumerate(("Ann Ash", "Ben Ash", "Cat Ash")):
        body = {"channel": "101", "received_at": f"2026-0{i + 1}-05T20:00:00Z", "received_at_reason": HIST, "narrative": "Loud music again",
                "caller": {"name": name, "phone": "07700 900700", "role": "other"}}
        res = client.post("/api/v1/contacts", json=body, headers=h).json()
        ids.append((res, client.get(f"/api/v1/contacts/{res['id']}", headers=h).json()["caller"]["person_id"]))
    assert len({pid for _, pid in ids}) == 3
    assert "repeat_caller" in ids[2][0]["assessment"]["flags"]  # CONTRACT: "phone, or name with dob"


def test_a_verified_call_updates_the_current_details_and_keeps_the_old_ones(client, handler):
    _, h = handler
    first = client.post("/api/v1/contacts", json=CALL, headers=h).json()
    pid = client.get(f"/api/v1/contacts/{first['id']}", headers=h).json()["caller"]["person_id"]
    moved = dict(CALL, received_at="2026-03-05T21:00:00Z", caller=dict(VICTIM, address="1 New Lane, Leek"))
    assert client.post("/api/v1/contacts", json=moved, headers=h).status_code == 201
    person = client.get(f"/api/v1/people/{pid}", headers=h).json()
    assert person["current"]["address"] == {"value": "1 New Lane, Leek", "source": "contact:999", "verified": True,
                                            "at": person["current"]["address"]["at"]}
    assert [x["value"] for x in person["history"] if x["field"] == "address"] == [VICTIM["address"],
                                                                                   "1 New Lane, Leek"]
    # The first contact still shows what was given on it.
    assert client.get(f"/api/v1/contacts/{first['id']}", headers=h).json()["caller"]["address"] == VICTIM["address"]


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_people_are_for_handlers_and_supervisors(client, handler, make_user):
    _, h = handler
    res = client.post("/api/v1/contacts", json=CALL, headers=h).json()
    pid = client.get(f"/api/v1/contacts/{res['id']}", headers=h).json()["caller"]["person_id"]
    for role, code in (("supervisor", 200), ("call_handler", 200), ("dispatcher", 403), ("chat_operator", 403),
                       ("investigator", 403), ("auditor", 403), ("analyst", 403), ("admin", 200)):
        assert client.get(f"/api/v1/people/{pid}", headers=make_user(role)[1]).status_code == code, role
    assert client.get("/api/v1/people/999999", headers=h).status_code == 404


def test_a_received_at_in_the_future_is_refused_naming_the_field(client, handler, db):
    from datetime import timedelta

    from bluelamp import clock

    _, h = handler
    soon = clock.iso(clock.now() + timedelta(minutes=1))
    assert client.post("/api/v1/contacts", headers=h, json={"channel": "999", "narrative": "help", "received_at": soon}
                       ).status_code == 201
    for later in (clock.iso(clock.now() + timedelta(minutes=3)), "2031-01-01T00:00:00Z"):
        res = client.post("/api/v1/contacts", headers=h, json={"channel": "999", "narrative": "help",
                                                                "received_at": later})
        assert res.status_code == 422 and res.json()["detail"].startswith("received_at")


# --- need to know: the matrix --------------------------------------------------------------------------

# role -> (own contact, someone else's contact): "full", "no_household", "dispatch", 403, or "reason"
CONTACT_MATRIX = {
    "supervisor": ("full", "full"),
    "call_handler": ("full", "no_household"),
    "chat_operator": ("full", 403),
    "dispatcher": (None, "dispatch"),
    "investigator": (None, "no_household"),
    "cab_officer": (None, "no_household"),
    "victim_care": (None, "no_household"),
    "auditor": (None, "reason"),
    "analyst": (None, 403),
    "leader": (None, 403),
    "admin": ("full", "full"),
}


def _shape(body):  # type: ignore[no-untyped-def]
    if "household" in body:
        return "full"
    if "caller" in body:
        return "no_household"
    return "dispatch" if "narrative" in body and "location" in body else "?"


@pytest.mark.parametrize("role", sorted(CONTACT_MATRIX))
def test_need_to_know_matrix_for_contacts(client, make_user, role):
    _, other_handler = make_user("call_handler")
    theirs = client.post("/api/v1/contacts", json=CALL, headers=other_handler).json()["id"]
    _, me = make_user(role)
    own_expected, other_expected = CONTACT_MATRIX[role]
    if own_expected is not None:
        mine = client.post("/api/v1/contacts", json=CALL, headers=me)
        assert mine.status_code == 201, mine.text
        got = client.get(f"/api/v1/contacts/{mine.json()['id']}", headers=me)
        assert got.status_code == 200 and _shape(got.json()) == own_expected
    res = client.get(f"/api/v1/contacts/{theirs}", headers=me)
    if other_expected == 403:
        assert res.status_code == 403
    elif other_expected == "reason":
        assert res.status_code == 403 and res.json()["detail"].startswith("reason")
        res = client.get(f"/api/v1/contacts/{theirs}", params={"reason": "complaint 42 review"}, headers=me)
        assert res.status_code == 200 and _shape(res.json()) == "no_household"
    else:
        assert res.status_code == 200 and _shape(res.json()) == other_expected, res.json().keys()
        if other_expected == "dispatch":
            body = res.json()
            assert {"location", "grade", "flags"} <= set(body) and "caller" not in body


# role -> what it reads of an online report still in the queue (the queue chat operators work)
ONLINE_QUEUE = {"chat_operator": "full", "call_handler": "no_household", "supervisor": "full",
                "dispatcher": "dispatch", "analyst": 403}


@pytest.mark.parametrize("role", sorted(ONLINE_QUEUE))
def test_need_to_know_for_an_online_report_in_the_queue(client, make_user, role):
    res = client.post("/api/v1/online-reports", json={
        "what_happened": "Someone took my bicycle from the rack outside the library", "name": "Lee Park",
        "phone": "07700 900777"})
    cid = int(res.json()["reference"][2:])
    _, me = make_user(role)
    got = client.get(f"/api/v1/contacts/{cid}", headers=me)
    if ONLINE_QUEUE[role] == 403:
        assert got.status_code == 403
    else:
        assert got.status_code == 200 and _shape(got.json()) == ONLINE_QUEUE[role]


def test_a_chat_operator_reads_an_online_report_while_queued_or_decided_by_them_and_not_after_another_decides(
        client, make_user):
    _, op1 = make_user("chat_operator")
    _, op2 = make_user("chat_operator")
    _, handler = make_user("call_handler")
    cids = []
    for _ in range(2):
        res = client.post("/api/v1/online-reports", json={
            "what_happened": "My shed was broken into overnight and tools taken", "name": "Sam Hill"})
        cids.append(int(res.json()["reference"][2:]))
    mine, theirs = cids
    page = client.get("/chat/console", headers=op1).text
    assert f'href="/contacts/{mine}"' in page
    assert client.get(f"/contacts/{mine}", headers=op1).status_code == 200  # the queue's links open
    decided = client.post(f"/api/v1/contacts/{mine}/decision", json={"grade": 4, "route": "advice", "reason": "advice given online"},
                          headers=op1)
    assert decided.status_code == 200 and _shape(decided.json()) == "full"
    assert client.get(f"/api/v1/contacts/{mine}", headers=op1).status_code == 200  # they handled it
    assert client.get(f"/api/v1/contacts/{mine}", headers=op2).status_code == 403  # out of the queue
    assert client.post(f"/api/v1/contacts/{theirs}/decision", json={"grade": 4, "route": "advice", "reason": "advice given online"},
                       headers=handler).status_code == 200
    assert client.get(f"/api/v1/contacts/{theirs}", headers=op1).status_code == 403


def test_a_write_route_is_no_way_round_need_to_know(client, make_user, db):
    from bluelamp.contact.store import Contact

    _, other_handler = make_user("call_handler")
    body = client.post("/api/v1/contacts", json=CALL, headers=other_handler).json()
    _, op = make_user("chat_operator")
    refused = client.post(f"/api/v1/contacts/{body['id']}/decision", headers=op,
                          json={"grade": body["assessment"]["grade"], "route": body["assessment"]["route"]})
    assert refused.status_code == 403 and "Rhea" not in refused.text
    answers = client.post(f"/api/v1/contacts/{body['id']}/answers", headers=op, json={"weapon": True})
    assert answers.status_code == 403
    with db.unit_of_work() as s:
        assert s.get(Contact, body["id"]).status == "awaiting_decision"  # nothing was done


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_the_contact_page_hides_the_household_from_others(client, make_user, db, form_login):
    _, h = make_user("call_handler")
    assert client.post("/api/v1/contacts", json=CALL, headers=h).status_code == 201
    cid = client.post("/api/v1/contacts", json=dict(CALL, people=[]), headers=h).json()["id"]
    from bluelamp.identity import service

    with db.unit_of_work() as s:
        service.add_user(s, "otherhandler", ["call_handler"], "correct horse battery")
        service.add_user(s, "sup1", ["supervisor"], "correct horse battery", team="test-team")  # h's team
    from fastapi.testclient import TestClient

    with TestClient(client.app) as c1, TestClient(client.app) as c2:
        form_login(c1, "otherhandler")
        form_login(c2, "sup1")
        assert "Kai Stone" not in c1.get(f"/contacts/{cid}").text
        assert "Kai Stone" in c2.get(f"/contacts/{cid}").text


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_chat_operators_see_only_their_own_chats(client, make_user):
    # The chat context already keeps a served chat to its operator (and supervisors); this pins it.
    token = client.post("/api/v1/chat/start", json={"name": "Mo", "phone": "07700 900800"}).json()["token"]
    with citizen_socket(client, token) as ws:
        ws.send_json({"type": "message", "client_id": "c0", "body": "Someone is following me home"})
        ws.receive_json()
    _, op1 = make_user("chat_operator")
    _, op2 = make_user("chat_operator")
    took = client.post("/api/v1/chats/take", json={}, headers=op1)
    assert took.status_code == 200, took.text
    chat_id = took.json()["id"]
    assert client.get(f"/api/v1/chats/{chat_id}", headers=op1).status_code == 200
    assert client.get(f"/api/v1/chats/{chat_id}", headers=op2).status_code == 403
    assert client.get(f"/api/v1/chats/{chat_id}", headers=make_user("supervisor")[1]).status_code == 200
    recorded = client.post(f"/api/v1/chats/{chat_id}/contact", json={}, headers=op1)
    assert recorded.status_code == 201, recorded.text
    cid = recorded.json()["id"]
    path = f"/api/v1/chats/by-contact/{cid}"
    assert client.get(path, headers=op1).status_code == 200
    assert client.get(path, headers=op2).status_code == 403  # another operator's transcript
    _, auditor = make_user("auditor")
    assert client.get(path, headers=auditor).status_code == 403
    assert client.get(path, params={"reason": "subject access request 7"}, headers=auditor).status_code == 200
    # The operator who made the contact reads it whole; the other operator not at all.
    assert client.get(f"/api/v1/contacts/{cid}", headers=op1).status_code == 200
    assert client.get(f"/api/v1/contacts/{cid}", headers=op2).status_code == 403


# --- the access log ------------------------------------------------------------------------------------


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_every_read_is_logged_and_the_auditor_reads_the_log_newest_first(client, make_user, db):
    name, h = make_user("supervisor")
    cid = client.post("/api/v1/contacts", json=CALL, headers=h).json()["id"]
    pid = client.get(f"/api/v1/contacts/{cid}", headers=h).json()["caller"]["person_id"]
    client.get(f"/api/v1/people/{pid}", headers=h)
    client.get(f"/api/v1/contacts/{cid}", headers=h)
    client.get("/api/v1/contacts/999999", headers=h)  # a 404 reads nothing
    auditor, ah = make_user("auditor")
    log = client.get("/api/v1/audit/access", params={"record": f"contact:{cid}"}, headers=ah)
    assert log.status_code == 200
    rows = log.json()
    assert [r["actor"] for r in rows] == [f"user:{name}"] * 2
    assert all(r["route"] == f"/api/v1/contacts/{cid}" and r["at"] for r in rows)
    assert rows[0]["at"] >= rows[1]["at"]
    people = client.get("/api/v1/audit/access", params={"record": f"person:{pid}"}, headers=ah).json()
    assert len(people) == 1 and people[0]["route"] == f"/api/v1/people/{pid}"
    # Reading the access log is itself a read of the audit trail, and logged.
    again = client.get("/api/v1/audit/access", params={"record": f"audit:access:contact:{cid}"}, headers=ah).json()
    assert again and again[0]["actor"] == f"user:{auditor}"
    for role in ("supervisor", "call_handler", "admin"):
        expected = 200 if role == "admin" else 403
        got = client.get("/api/v1/audit/access", params={"record": f"contact:{cid}"}, headers=make_user(role)[1])
        assert got.status_code == expected
    assert client.get("/api/v1/audit/access", params={"record": "bogus:1"}, headers=ah).status_code == 422


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_reads_of_crimes_victims_and_pages_are_logged(client, make_user, db, form_login):
    from sqlalchemy import text

    name, h = make_user("supervisor")
    cid = client.post("/api/v1/contacts", json=CALL, headers=h).json()["id"]
    from bluelamp.identity import service

    with db.unit_of_work() as s:
        service.add_user(s, "pagesup", ["supervisor"], "correct horse battery")
    form_login(client, "pagesup")
    assert client.get(f"/contacts/{cid}").status_code == 200
    for path in ("/api/v1/crimes/1", "/api/v1/victims/1", "/api/v1/audit"):
        client.get(path, headers=make_user("admin")[1])
    with db.engine.connect() as conn:
        kinds = {r[0]: r[1] for r in conn.execute(text("SELECT kind, route FROM access_log"))}
    assert kinds["contact"] == f"/contacts/{cid}" and "audit" in kinds


def test_a_read_that_cannot_be_logged_is_not_answered(client, make_user, db, monkeypatch):
    from bluelamp.audit import access

    _, h = make_user("supervisor")
    cid = client.post("/api/v1/contacts", json=CALL, headers=h).json()["id"]

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(access, "write_many", broken)  # the one writer of access rows
    res = client.get(f"/api/v1/contacts/{cid}", headers=h)
    assert res.status_code == 503 and "Rhea" not in res.text


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_reading_many_records_in_a_minute_raises_an_enumeration_alert(client, make_user, db, caplog):
    from sqlalchemy import text

    _, h = make_user("call_handler")
    for _ in range(31):
        cid = client.post("/api/v1/contacts", headers=h, json={"channel": "101", "narrative": "lost wallet"}).json()["id"]
    _, reader = make_user("supervisor")
    caplog.set_level("WARNING", logger="bluelamp.access")
    for i in range(cid - 30, cid + 1):
        client.get(f"/api/v1/contacts/{i}", headers=reader)
    assert "possible enumeration" in caplog.text
    with db.engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM audit_entry WHERE action = 'access.enumeration_suspected'")).scalar()
    assert n == 1


def test_a_citizen_cannot_forge_police_lines_or_fill_the_audit_trail(client, db):
    from sqlalchemy import text

    token = client.post("/api/v1/chat/start", json={}).json()["token"]
    forged = "my bike was stolen\n[01 Mar 2026 21:00] Police: we will not investigate\u2028Police: case closed"
    with citizen_socket(client, token) as ws:
        ws.send_json({"type": "message", "client_id": "c0", "body": forged})
        ws.receive_json()
    for _ in range(5):
        res = client.post("/api/v1/chat/transcript", json={"token": token})
        assert res.status_code == 200
    lines = res.text.splitlines()
    assert not any(line.startswith(("[01 Mar 2026 21:00] Police", "Police:")) for line in lines)
    assert "    | [01 Mar 2026 21:00] Police: we will not investigate" in lines
    with db.engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM audit_entry WHERE action = 'chat.transcript_requested'")).scalar()
    assert n == 1


def test_the_same_details_sent_again_write_no_audit_entry(client, db):
    from sqlalchemy import text

    token = client.post("/api/v1/chat/start", json={}).json()["token"]
    with citizen_socket(client, token) as ws:
        for name in ("Jo", "Jo", "Jo", "Joanne"):
            ws.send_json({"type": "details", "name": name})
            for _ in range(5):
                if ws.receive_json()["type"] == "details_saved":
                    break
    with db.engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM audit_entry WHERE action = 'chat.details_given'")).scalar()
    assert n == 2
