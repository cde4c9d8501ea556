"""The JSON routes: public start/transcript, operator actions, supervisor alerts, figures, and the
online report (JSON and the plain HTML form)."""

from __future__ import annotations

import pytest

from bluelamp.chat.online import PUBLIC_ONLINE
from citizen_socket import citizen_socket


def _chat_with(client, *bodies):  # type: ignore[no-untyped-def]
    token = client.post("/api/v1/chat/start", json={"name": "Kim"}).json()["token"]
    with citizen_socket(client, token) as ws:
        for n, body in enumerate(bodies):
            ws.send_json({"type": "message", "client_id": f"c{n}", "body": body})
            ws.receive_json()
    return token


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_an_operator_works_a_chat_through_the_api(client, make_user):
    _, op = make_user("chat_operator")
    token = _chat_with(client, "My purse was stolen on the bus this morning")
    queue = client.get("/api/v1/chats/queue", headers=op).json()
    assert len(queue) == 1 and queue[0]["status"] == "waiting"
    taken = client.post("/api/v1/chats/take", json={}, headers=op)
    assert taken.status_code == 200 and taken.json()["status"] == "active"
    chat_id = taken.json()["id"]
    sent = client.post(f"/api/v1/chats/{chat_id}/messages", json={"body": "Thanks, I can record that."}, headers=op)
    assert sent.status_code == 201 and sent.json()["sender"] == "operator"
    too_big = client.post(f"/api/v1/chats/{chat_id}/messages", json={"body": "x" * 5000}, headers=op)
    assert too_big.status_code == 413 and too_big.json()["detail"].startswith("body:")
    recorded = client.post(f"/api/v1/chats/{chat_id}/contact", json={"answers": {"injury": False}}, headers=op)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["assessment"]["policy_version"]
    kept = client.get(f"/api/v1/chats/by-contact/{recorded.json()['id']}", headers=op).json()
    assert kept["id"] == chat_id and "My purse was stolen" in kept["messages"][1]["body"]
    closed = client.post(f"/api/v1/chats/{chat_id}/close", json={}, headers=op)
    assert closed.json()["outcome"] == "contact_recorded"
    transcript = client.post("/api/v1/chat/transcript", json={"token": token})
    assert transcript.status_code == 200 and transcript.headers["content-type"].startswith("text/plain")
    assert "My purse was stolen" in transcript.text
    figures = client.get("/api/v1/chats/figures", headers=op).json()
    assert figures["chats"] == 1 and figures["rows"][0]["handling_s"] is not None


def test_a_transcript_needs_the_chats_own_token(client):
    assert client.post("/api/v1/chat/transcript", json={"token": "nonsense-token"}).status_code == 404
    assert client.post("/api/v1/chat/transcript", json={}).status_code == 422


def test_supervisor_alerts_are_for_supervisors(client, make_user):
    _, sup = make_user("supervisor")
    _, op = make_user("chat_operator")
    _chat_with(client, "There is a man with a gun outside the school right now")
    assert client.get("/api/v1/chats/alerts", headers=op).status_code == 403
    alerts = client.get("/api/v1/chats/alerts", headers=sup).json()
    assert len(alerts) == 1 and alerts[0]["kind"] == "chat_emergency"
    assert client.post(f"/api/v1/chats/alerts/{alerts[0]['id']}/ack", json={}, headers=sup).status_code == 200
    assert client.get("/api/v1/chats/alerts", headers=sup).json() == []


def test_an_online_report_lands_at_once_as_an_assessed_contact_with_a_reference(client, make_user):
    _, handler = make_user("call_handler")
    res = client.post("/api/v1/online-reports", json={
        "what_happened": "Someone took my bicycle from the rack outside the library",
        "when": "yesterday afternoon", "where": "Library, Market Square", "name": "Lee Park", "phone": "07700 900777"})
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["reference"].startswith("BL") and body["emergency"] is False
    contact_id = int(body["reference"][2:])
    contact = client.get(f"/api/v1/contacts/{contact_id}", headers=handler).json()
    assert contact["channel"] == "online" and contact["recorded_by"] == PUBLIC_ONLINE.actor
    assert contact["assessment"]["thrive"]["risk"] and contact["caller"]["person_id"]
    assert "yesterday afternoon" in contact["narrative"]
    queue = client.get("/api/v1/contacts", headers=handler).json()
    assert contact_id in [c["id"] for c in queue]


def test_a_third_online_report_from_the_same_person_is_matched_as_a_repeat_caller(client, make_user, chat_settings):
    chat_settings(reports_burst=10)
    _, handler = make_user("call_handler")
    refs = []
    for n in range(3):
        res = client.post("/api/v1/online-reports", json={
            "what_happened": f"Youths kicking footballs at my windows again ({n})", "phone": "07700 900888"})
        refs.append(int(res.json()["reference"][2:]))
    contact = client.get(f"/api/v1/contacts/{refs[-1]}", headers=handler).json()
    assert "repeat_caller" in contact["assessment"]["flags"]


def test_an_online_report_that_screens_as_an_emergency_says_call_999_and_alerts_a_supervisor(client, make_user):
    _, sup = make_user("supervisor")
    res = client.post("/api/v1/online-reports", json={"what_happened": "My husband is hitting me and has a knife now"})
    assert res.status_code == 201 and res.json()["emergency"] is True
    assert "Call 999 now" in res.json()["message"]
    alerts = client.get("/api/v1/chats/alerts", headers=sup).json()
    assert alerts[0]["kind"] == "online_emergency" and alerts[0]["contact_id"] == int(res.json()["reference"][2:])


@pytest.mark.parametrize("body, field, status", [
    ({}, "what_happened", 422),
    ({"what_happened": "x" * 5001}, "what_happened", 422),
    ({"what_happened": "a theft", "colour": "red"}, "colour", 422),
    ({"what_happened": "a theft", "dob": "not a date"}, "dob", 422),
])
def test_a_bad_online_report_is_refused_naming_the_field(client, body, field, status):
    res = client.post("/api/v1/online-reports", json=body)
    assert res.status_code == status and res.json()["detail"].startswith(field), res.text


def test_online_reports_are_rate_limited_per_address(client, chat_settings):
    chat_settings(reports_burst=1, reports_per_s=0.001)
    ok = client.post("/api/v1/online-reports", json={"what_happened": "graffiti on the bus shelter"})
    again = client.post("/api/v1/online-reports", json={"what_happened": "graffiti on the bus shelter"})
    assert (ok.status_code, again.status_code) == (201, 429) and again.headers["Retry-After"]


def test_the_report_form_works_without_javascript_and_shows_text_inert(client):
    page = client.get("/public/report")
    assert page.status_code == 200 and 'name="what_happened"' in page.text
    bad = client.post("/public/report", data={"what_happened": "", "name": "<script>x()</script>"})
    assert bad.status_code == 422 and "<script>x()</script>" not in bad.text and "&lt;script&gt;" in bad.text
    done = client.post("/public/report", data={"what_happened": "My shed was broken into <b>overnight</b>",
                                               "reporting_for": "myself"})
    assert done.status_code == 201 and 'id="reference"' in done.text and 'id="emergency"' not in done.text
    urgent = client.post("/public/report", data={"what_happened": "He is attacking me with a knife right now"})
    assert urgent.status_code == 201 and 'id="emergency"' in urgent.text and "Call 999 now" in urgent.text


def test_the_public_pages_carry_the_widget_and_the_console_needs_a_role(client, make_user):
    page = client.get("/public")
    assert page.status_code == 200 and '<script src="/static/chat/widget.js"' in page.text
    assert client.get("/static/chat/widget.js").status_code == 200
    assert client.get("/chat/console", follow_redirects=False).status_code == 303
    _, dispatcher = make_user("dispatcher")
    assert client.get("/chat/console", headers=dispatcher).status_code == 403
    _, op = make_user("chat_operator")
    assert client.get("/chat/console", headers=op).status_code == 200


def test_each_socket_declares_exactly_one_guard():
    from fastapi.routing import APIWebSocketRoute

    from bluelamp.chat import ws
    from bluelamp.web.auth import PublicAccess, RoleGuard

    def guards(dependant):  # type: ignore[no-untyped-def]
        found = [d.call for d in dependant.dependencies if isinstance(d.call, RoleGuard | PublicAccess)]
        return found + [g for d in dependant.dependencies for g in guards(d)]

    sockets = {r.path: guards(r.dependant) for r in ws.router.routes if isinstance(r, APIWebSocketRoute)}
    assert set(sockets) == {"/chat/ws/operator", "/chat/ws"}  # the token never in a URL (issue 12 row 11)
    assert all(len(g) == 1 for g in sockets.values())
    assert isinstance(sockets["/chat/ws"][0], PublicAccess)
    assert set(sockets["/chat/ws/operator"][0].roles) == {"chat_operator", "supervisor"}
