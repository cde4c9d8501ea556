"""The two sockets end to end (in-process): the citizen's and the operator console's."""

from __future__ import annotations

import json

import pytest
from starlette.websockets import WebSocketDisconnect

from citizen_socket import citizen_socket, hello


def _start(client, **details):  # type: ignore[no-untyped-def]
    res = client.post("/api/v1/chat/start", json=details)
    assert res.status_code == 201, res.text
    return res.json()["token"]


def _hello(ws, last_seq=0):  # type: ignore[no-untyped-def]
    ws.send_json({"type": "hello", "last_seq": last_seq})
    frames = []
    while True:
        frame = ws.receive_json()
        frames.append(frame)
        if frame["type"] == "status":
            return frames


def test_a_citizen_and_an_operator_chat_and_the_chat_becomes_a_contact(client, staff, until):
    uid, username = staff(client, "chat_operator", name="jane.smith")
    token = _start(client, name="Pat")
    with client.websocket_connect("/chat/ws/operator") as op, citizen_socket(client, token) as ws:
        assert until(op, lambda f: f["type"] == "snapshot")["me"]["username"] == username
        assert [f["type"] for f in _hello(ws)] == ["message", "status"]
        ws.send_json({"type": "message", "client_id": "m1", "body": "Someone smashed my car window last night"})
        echo = ws.receive_json()
        assert echo["seq"] == 2 and echo["client_id"] == "m1"
        queued = until(op, lambda f: f["type"] == "chat" and f["chat"]["status"] == "waiting")
        assert queued["chat"]["suggested_route"]
        op.send_json({"type": "take"})
        view = until(op, lambda f: f["type"] == "chat_view")["chat"]
        assert [m["seq"] for m in view["messages"]] == [1, 2, 3]
        joined = until(ws, lambda f: f["type"] == "status")
        assert joined["operator"] == "Jane" and username not in json.dumps(joined)
        op.send_json({"type": "send", "chat_id": view["id"], "client_id": "o1", "body": "Sorry to hear that."})
        reply = until(ws, lambda f: f["type"] == "message" and f["sender"] == "operator")
        assert reply["author"] == "Jane" and reply["body"] == "Sorry to hear that."
        assert username not in json.dumps(reply)
        op.send_json({"type": "convert", "chat_id": view["id"]})
        converted = until(op, lambda f: f["type"] == "converted" and "ref" in f)
        assert converted["assessment"]["grade"] == 4 and converted["reference"].startswith("BL")
        notice = until(ws, lambda f: f["type"] == "message" and "reference number" in f["body"])
        assert converted["reference"] in notice["body"]
        op.send_json({"type": "close", "chat_id": view["id"]})
        assert until(ws, lambda f: f["type"] == "status")["status"] == "closed"
    contact = client.get(f"/api/v1/contacts/{converted['id']}", headers=_bearer(client, uid))
    assert contact.status_code == 200 and contact.json()["channel"] == "chat"


def _bearer(client, uid):  # type: ignore[no-untyped-def]
    from bluelamp.identity import service

    db = client.app.state.db
    with db.unit_of_work() as s:
        from bluelamp.identity.store import User

        return {"Authorization": "Bearer " + service.create_token(s, s.get(User, uid).username)}


def test_a_dropped_connection_loses_nothing_and_duplicates_nothing(client, staff, until):
    uid, _ = staff(client, "chat_operator")
    token = _start(client)
    with citizen_socket(client, token) as ws:
        _hello(ws)
        ws.send_json({"type": "message", "client_id": "a", "body": "first"})
        assert ws.receive_json()["seq"] == 2
        ws.send_json({"type": "ack", "seq": 2})
    # While the person is away the operator answers twice.
    with client.websocket_connect("/chat/ws/operator") as op:
        op.receive_json()
        op.send_json({"type": "take"})
        chat_id = until(op, lambda f: f["type"] == "chat_view")["chat"]["id"]
        for n in (1, 2):
            op.send_json({"type": "send", "chat_id": chat_id, "client_id": f"o{n}", "body": f"reply {n}"})
            until(op, lambda f: f["type"] == "message" and "ref" in f)
    with client.websocket_connect("/chat/ws") as ws:
        frames = hello(ws, token, last_seq=2)
        missed = [f for f in frames if f["type"] == "message"]
        assert [f["seq"] for f in missed] == [3, 4, 5]  # joined notice, reply 1, reply 2
        assert [f["body"] for f in missed][1:] == ["reply 1", "reply 2"]
        # The client did not see its ack for "first" and resends it: stored once, acknowledged again.
        ws.send_json({"type": "message", "client_id": "a", "body": "first"})
        again = ws.receive_json()
        assert again["seq"] == 2 and again["client_id"] == "a"
        ws.send_json({"type": "message", "client_id": "b", "body": "second"})
        assert ws.receive_json()["seq"] == 6
    with client.app.state.db.unit_of_work() as s:
        from bluelamp.chat import store

        bodies = [m.body for m in store.messages_after(s, chat_id, 0) if m.sender == "citizen"]
        assert bodies == ["first", "second"]


def test_bad_frames_get_clear_errors_and_a_flood_of_them_closes_the_socket(client, chat_settings):
    chat_settings(max_invalid_frames=4, max_message_chars=100)
    token = _start(client)
    with citizen_socket(client, token) as ws:
        ws.send_text("not json")
        assert ws.receive_json()["code"] == "invalid_frame"
        ws.send_bytes(b"\x00\x01")
        assert ws.receive_json()["code"] == "invalid_frame"
        ws.send_json({"type": "message", "client_id": "big", "body": "x" * 101})
        too_big = ws.receive_json()
        assert too_big["code"] == "too_large" and too_big["client_id"] == "big"
        ws.send_json({"type": "message", "body": "   "})
        assert ws.receive_json()["code"] == "empty"
        ws.send_json({"type": "message", "client_id": "<bad id>", "body": "hi"})
        assert ws.receive_json()["code"] == "invalid_frame"
        ws.send_json({"type": "launch"})  # the fifth bad frame: told why, then closed
        assert ws.receive_json()["code"] == "invalid_frame"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1008


def test_a_flood_of_messages_is_rate_limited_per_chat(client, chat_settings):
    chat_settings(chat_burst=3, chat_per_s=0.01)
    token = _start(client)
    with citizen_socket(client, token) as ws:
        codes = []
        for n in range(5):
            ws.send_json({"type": "message", "client_id": f"m{n}", "body": f"message {n}"})
            frame = ws.receive_json()
            codes.append(frame.get("code", frame["type"]))
        assert codes == ["message", "message", "message", "rate_limited", "rate_limited"]


def test_starting_chats_is_rate_limited_per_address(client, chat_settings):
    chat_settings(starts_burst=2, starts_per_s=0.001)
    assert [client.post("/api/v1/chat/start", json={}).status_code for _ in range(3)] == [201, 201, 429]


def test_an_unknown_chat_token_is_told_so_and_closed(client):
    with client.websocket_connect("/chat/ws") as ws:
        ws.send_json({"type": "hello", "token": "not-a-real-token", "last_seq": 0})
        assert ws.receive_json()["code"] == "unknown_chat"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4404


def test_the_operator_socket_needs_a_signed_in_operator(client, staff):
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/chat/ws/operator") as ws:
        ws.receive_json()
    staff(client, "dispatcher")
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/chat/ws/operator") as ws:
        ws.receive_json()


def test_a_supervisor_sees_the_emergency_alert_live_and_acknowledges_it(client, staff, until):
    staff(client, "supervisor")
    token = _start(client)
    with client.websocket_connect("/chat/ws/operator") as sup, citizen_socket(client, token) as ws:
        assert until(sup, lambda f: f["type"] == "snapshot")["me"]["supervisor"] is True
        ws.send_json({"type": "message", "client_id": "x", "body": "I am going to kill myself tonight"})
        assert ws.receive_json()["kind"] == "text"
        warning = ws.receive_json()
        assert warning["kind"] == "emergency" and "999" in warning["body"]
        alert = until(sup, lambda f: f["type"] == "alert")["alert"]
        assert alert["kind"] == "chat_emergency" and alert["acknowledged_by"] is None
        sup.send_json({"type": "ack_alert", "alert_id": alert["id"]})
        assert until(sup, lambda f: f["type"] == "alert")["alert"]["acknowledged_by"]


def test_an_operator_cannot_acknowledge_alerts_or_act_on_anothers_chat(client, staff, until):
    staff(client, "chat_operator")
    token = _start(client)
    with citizen_socket(client, token) as ws:
        ws.send_json({"type": "message", "client_id": "x", "body": "hello"})
        ws.receive_json()
    with client.websocket_connect("/chat/ws/operator") as op:
        op.receive_json()
        op.send_json({"type": "ack_alert", "alert_id": 1})
        assert until(op, lambda f: f["type"] == "error")["code"] == "forbidden"
        chat_id = _chat_id(client, token)  # waiting, not taken by this operator
        op.send_json({"type": "send", "chat_id": chat_id, "body": "not mine"})
        assert until(op, lambda f: f["type"] == "error")["code"] == "not_yours"
        op.send_json({"type": "send", "chat_id": chat_id + 1000, "body": "no such chat"})
        assert until(op, lambda f: f["type"] == "error")["code"] == "unknown_chat"


def _chat_id(client, token):  # type: ignore[no-untyped-def]
    from bluelamp.chat import service

    with client.app.state.db.unit_of_work(write=False) as s:
        return service.chat_for_token(s, token).id


def test_the_old_socket_with_the_token_in_its_url_is_gone(client):
    token = _start(client)
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(f"/chat/ws/{token}") as ws:
        ws.receive_json()
    with citizen_socket(client, token) as ws:  # the same token works in the first frame of /chat/ws
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"
