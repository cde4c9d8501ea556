"""Search across people, contacts, incidents, crimes and chats, within each role's access rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bluelamp.audit.store import AccessEntry

CALL = {"channel": "999", "narrative": "My neighbour at Brook Street is being attacked in the garden",
        "location": {"description": "14 Brook Street, Leek"},
        "caller": {"name": "Imogen Harcourt-Bale", "dob": "1979-03-21", "phone": "07700 900987",
                   "address": "12 Brook Street, Leek"}}


def _record(client, headers) -> int:  # type: ignore[no-untyped-def]
    res = client.post("/api/v1/contacts", headers=headers, json=CALL)
    assert res.status_code == 201
    return int(res.json()["id"])


def test_a_handler_finds_a_contact_by_its_bl_reference(client, make_user):
    _, h = make_user("call_handler")
    cid = _record(client, h)
    res = client.get("/api/v1/search", params={"q": f"BL{cid:07d}"}, headers=h)
    assert res.status_code == 200
    hits = [r for r in res.json()["results"] if r["kind"] == "contact"]
    assert [r["id"] for r in hits] == [cid]
    assert "attacked in the garden" in hits[0]["detail"]


def test_a_people_search_needs_a_reason_and_the_reason_is_kept_with_each_read(client, make_user, db):
    _, h = make_user("call_handler")
    _record(client, h)
    without = client.get("/api/v1/search", params={"q": "harcourt"}, headers=h).json()
    assert without["people_need_reason"] is True
    assert not [r for r in without["results"] if r["kind"] == "person"]
    found = client.get("/api/v1/search", params={"q": "harcourt", "reason": "caller on the line, repeat?"},
                       headers=h).json()
    people = [r for r in found["results"] if r["kind"] == "person"]
    assert len(people) == 1 and people[0]["title"] == "Imogen Harcourt-Bale"
    assert "21/03/1979" in people[0]["detail"]
    with db.unit_of_work(write=False) as session:
        rows = list(session.execute(select(AccessEntry).where(AccessEntry.kind == "person",
                                                              AccessEntry.record_id == str(people[0]["id"]))).scalars())
    assert [(r.route, r.reason) for r in rows] == [("/api/v1/search", "caller on the line, repeat?")]


def test_a_dispatcher_finds_the_contact_but_never_people(client, make_user):
    _, h = make_user("call_handler")
    cid = _record(client, h)
    _, d = make_user("dispatcher")
    res = client.get("/api/v1/search", params={"q": "Brook Street", "reason": "curious"}, headers=d).json()
    kinds = {r["kind"] for r in res["results"]}
    assert "person" not in kinds and "contact" in kinds and "incident" in kinds
    assert any(w["kind"] == "person" and w["field"] == "role" for w in res["withheld"])
    assert cid in [r["id"] for r in res["results"] if r["kind"] == "contact"]


def test_a_chat_operator_does_not_find_other_handlers_contacts(client, make_user):
    _, h = make_user("call_handler")
    cid = _record(client, h)
    _, c = make_user("chat_operator")
    res = client.get("/api/v1/search", params={"q": f"BL{cid}"}, headers=c).json()
    assert res["results"] == []


def test_an_auditor_finds_contacts_only_with_a_stated_reason(client, make_user):
    _, h = make_user("call_handler")
    cid = _record(client, h)
    _, a = make_user("auditor")
    assert client.get("/api/v1/search", params={"q": f"BL{cid}"}, headers=a).json()["results"] == []
    res = client.get("/api/v1/search", params={"q": f"BL{cid}", "reason": "complaint 2026/114"}, headers=a).json()
    assert [r["id"] for r in res["results"] if r["kind"] == "contact"] == [cid]


def test_a_role_without_search_is_refused_and_bad_queries_are_named(client, make_user):
    _, an = make_user("analyst")
    assert client.get("/api/v1/search", params={"q": "BL0000001"}, headers=an).status_code == 403
    _, h = make_user("call_handler")
    res = client.get("/api/v1/search", params={"q": "ab"}, headers=h)
    assert res.status_code == 422 and res.json()["detail"].startswith("q:")
    assert client.get("/api/v1/search", params={"q": "x" * 201}, headers=h).status_code == 422


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_wildcards_in_a_query_are_taken_literally(client, make_user):
    _, h = make_user("call_handler")
    _record(client, h)
    res = client.get("/api/v1/search", params={"q": "%%%"}, headers=h).json()
    assert res["results"] == []
