"""Issue 12 item 2, contacts by team: a contact keeps the team (control room) that recorded it, and every
read (single, list, search) goes through the one team check (identity/access.contact_relation). A call
handler sees their own control room's contacts; another room's is a search with a stated reason."""

from __future__ import annotations

import pytest

CALL = {"channel": "999", "narrative": "Neighbour shouting at the kids at the flats on Quarry Lane",
        "caller": {"name": "Ash Reed", "phone": "07700 900321"},
        "people": [{"name": "Kai Reed", "dob": "2015-04-01", "role": "other"}]}
REASON = {"reason": "caller says they rang the other room first"}


def _shape(res):  # type: ignore[no-untyped-def]
    if res.status_code != 200:
        return res.status_code
    body = res.json()
    if "household" in body:
        return "full"
    if "caller" in body:
        return "no_household"
    return "dispatch" if "narrative" in body and "location" in body else "?"


# role -> (same team as the recorder, another team, another team with a stated reason)
TEAM_MATRIX = {
    "call_handler": ("no_household", 403, "no_household"),
    "supervisor": ("full", "no_household", "no_household"),
    "dispatcher": ("dispatch", 403, "dispatch"),
    "investigator": ("no_household", 403, "no_household"),
    "cab_officer": ("no_household", 403, "no_household"),
    "victim_care": ("no_household", 403, "no_household"),
    "chat_operator": (403, 403, 403),
    "auditor": (403, 403, "no_household"),
    "analyst": (403, 403, 403),
    "admin": ("full", "full", "full"),
}


@pytest.mark.slow  # ten roles, three users each: the fast subset keeps the handler cases below
@pytest.mark.parametrize("role", sorted(TEAM_MATRIX))
def test_contact_reads_by_team_matrix(client, make_user, role):
    _, room_a = make_user("call_handler", team="room-a")
    cid = client.post("/api/v1/contacts", json=CALL, headers=room_a).json()["id"]
    _, same = make_user(role, team="room-a")
    _, other = make_user(role, team="room-b")
    same_team, other_team, with_reason = TEAM_MATRIX[role]
    assert _shape(client.get(f"/api/v1/contacts/{cid}", headers=same)) == same_team
    res = client.get(f"/api/v1/contacts/{cid}", headers=other)
    assert _shape(res) == other_team
    if other_team == 403 and with_reason != 403:
        assert res.json()["detail"].startswith("reason"), res.json()  # it says what would open it
    assert _shape(client.get(f"/api/v1/contacts/{cid}", params=REASON, headers=other)) == with_reason
    # The recorder always reads their own in full, whatever the team.
    assert _shape(client.get(f"/api/v1/contacts/{cid}", headers=room_a)) == "full"


def test_a_handler_with_no_team_reads_another_rooms_contact_only_with_a_reason(client, make_user):
    _, room_a = make_user("call_handler", team="room-a")
    cid = client.post("/api/v1/contacts", json=CALL, headers=room_a).json()["id"]
    _, loose = make_user("call_handler", team=None)
    assert _shape(client.get(f"/api/v1/contacts/{cid}", headers=loose)) == 403
    assert _shape(client.get(f"/api/v1/contacts/{cid}", params=REASON, headers=loose)) == "no_household"


def test_a_contact_recorded_in_no_team_is_every_rooms(client, db, make_user):
    from bluelamp import clock
    from bluelamp.contact import imports

    with db.unit_of_work() as s:
        [cid] = imports.insert_imported(s, [imports.imported_contact_row(
            source="test", external_ref="t-1", agency="police", channel="999", received_at=clock.now(),
            narrative="imported", grade=2, route="deploy", attend_by=None, reason="test", urban=True,
            recorded_by="import:test")])
    _, room_b = make_user("call_handler", team="room-b")
    assert _shape(client.get(f"/api/v1/contacts/{cid}", headers=room_b)) == "no_household"


def test_the_queue_page_and_search_show_only_the_readers_room_unless_a_reason_is_given(client, make_user):
    _, room_a = make_user("call_handler", team="room-a")
    _, room_b = make_user("call_handler", team="room-b")
    a_id = client.post("/api/v1/contacts", json=CALL, headers=room_a).json()["id"]
    b_id = client.post("/api/v1/contacts", json=dict(CALL, narrative="Quarry Lane: a car alarm all night"),
                       headers=room_b).json()["id"]
    _, b_mate = make_user("call_handler", team="room-b")
    page = client.get("/contacts", headers=b_mate)
    assert page.status_code == 200
    assert f'href="/contacts/{b_id}"' in page.text and f'href="/contacts/{a_id}"' not in page.text
    found = client.get("/api/v1/search", params={"q": "Quarry Lane"}, headers=b_mate).json()
    ids = {r.get("id") for r in found["results"] if r.get("kind") == "contact"}
    assert b_id in ids and a_id not in ids
    wider = client.get("/api/v1/search", params={"q": "Quarry Lane", **REASON}, headers=b_mate).json()
    assert {a_id, b_id} <= {r.get("id") for r in wider["results"] if r.get("kind") == "contact"}
    assert client.get(f"/contacts/{a_id}", headers=b_mate).status_code == 403  # the page, like the API


def test_the_team_is_the_recorders_at_the_time(client, db, make_user):
    from bluelamp.contact.store import Contact
    from bluelamp.identity import service

    name, room_a = make_user("call_handler", team="room-a")
    cid = client.post("/api/v1/contacts", json=CALL, headers=room_a).json()["id"]
    _, a_mate = make_user("call_handler", team="room-a")
    with db.unit_of_work() as s:  # the recorder moves to another room afterwards
        service.set_team(s, name, "room-b")
    with db.unit_of_work() as s:
        assert s.get(Contact, cid).team == "room-a"
    assert _shape(client.get(f"/api/v1/contacts/{cid}", headers=a_mate)) == "no_household"


def test_the_json_queue_and_the_queue_query_are_narrowed_by_team(client, db, make_user, principal):
    from bluelamp.contact import service

    _, room_a = make_user("call_handler", team="room-a")
    _, room_b = make_user("call_handler", team="room-b")
    a_id = client.post("/api/v1/contacts", json=dict(CALL, answers={"weapon": True}), headers=room_a).json()["id"]
    b_id = client.post("/api/v1/contacts", json=dict(CALL, narrative="A car alarm all night on Quarry Lane"),
                       headers=room_b).json()["id"]
    _, b_mate = make_user("call_handler", team="room-b")
    listed = {c["id"] for c in client.get("/api/v1/contacts", headers=b_mate).json()}
    assert b_id in listed and a_id not in listed
    _, sup = make_user("supervisor", team="room-b")  # supervisors read every room's (without households)
    assert {a_id, b_id} <= {c["id"] for c in client.get("/api/v1/contacts", headers=sup).json()}
    # In the query, not after it: room a's more urgent contact cannot push room b's off a short page.
    reader = principal("call_handler", team="room-b")
    with db.unit_of_work() as s:
        assert [c.id for c in service.queue(s, limit=1)] == [a_id]  # no principal: everything, by urgency
        assert [c.id for c in service.queue(s, limit=1, principal=reader)] == [b_id]
