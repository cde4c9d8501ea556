"""Issue 14's chat rules: an emergency is never closed as abandoned, the person sees their place in the
queue, transfers go to a named operator from a list, and the token stays out of the socket's URL."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from bluelamp.audit import service as audit
from bluelamp.chat import operations, service, store

KNIFE = "my ex is outside with a knife and says he will kill me"


def _start(db):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        token, chat, _ = service.start_chat(s, {})
        return token, chat.id


def _say(db, token, body):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        service.citizen_message(s, token, body, None)


def test_an_unanswered_emergency_is_escalated_once_and_never_closed_as_abandoned(db, fixed_clock, chat_settings):
    chat_settings(abandon_after_s=60)
    token, chat_id = _start(db)
    quiet, quiet_id = _start(db)
    _say(db, token, KNIFE)
    _say(db, quiet, "what time does the front counter open")
    with db.unit_of_work() as s:
        service.citizen_presence(s, token, connected=False)
        service.citizen_presence(s, quiet, connected=False)
    fixed_clock.advance(seconds=61)
    with db.unit_of_work() as s:
        events = service.sweep_abandoned(s)
    assert [e.frame["alert"]["kind"] for e in events if e.topic == "alerts"] == ["chat_unanswered"]
    with db.unit_of_work() as s:
        urgent, ordinary = s.get(store.Chat, chat_id), s.get(store.Chat, quiet_id)
        assert urgent.status == "waiting" and urgent.outcome is None  # still at the head of the queue
        assert ordinary.status == "closed" and ordinary.outcome == "abandoned"
        assert [c.id for c in store.waiting_chats(s)] == [chat_id]
        escalated = [e for e in audit.trail(s, "chat", chat_id) if e.action == "chat.escalated"]
        assert len(escalated) == 1 and escalated[0].content["after"]["citizen_connected"] is False
        kinds = sorted(a.kind for a in store.open_alerts(s) if a.chat_id == chat_id)
        assert kinds == ["chat_emergency", "chat_unanswered"]
    fixed_clock.advance(seconds=120)
    with db.unit_of_work() as s:  # the next sweeps raise no second alert
        assert service.sweep_abandoned(s) == []


def test_the_person_is_told_their_place_in_the_queue(db, fixed_clock, principal):
    first, first_id = _start(db)
    second, second_id = _start(db)
    _say(db, first, "I'd like to report a lost phone")
    fixed_clock.advance(seconds=5)
    _say(db, second, "someone keyed my car")
    with db.unit_of_work() as s:
        chats = {c.id: c for c in store.waiting_chats(s)}
        assert [service.queue_position(s, chats[i]) for i in (first_id, second_id)] == [1, 2]
    urgent, urgent_id = _start(db)
    fixed_clock.advance(seconds=5)
    _say(db, urgent, KNIFE)  # an emergency goes to the front
    with db.unit_of_work() as s:
        chats = {c.id: c for c in store.waiting_chats(s)}
        assert [service.queue_position(s, chats[i]) for i in (urgent_id, first_id, second_id)] == [1, 2, 3]
        assert service.public_status(chats[second_id], 3)["position"] == 3
    op = principal("chat_operator")
    with db.unit_of_work() as s:
        taken, _ = operations.take(s, op, urgent_id)
        assert service.queue_position(s, taken) is None and service.public_status(taken, None)["position"] is None
        assert service.queue_position(s, s.get(store.Chat, second_id)) == 2


def test_transfer_targets_are_named_operators_with_their_load(db, principal):
    me, other = principal("chat_operator"), principal("chat_operator")
    sup, handler = principal("supervisor"), principal("call_handler")
    token, chat_id = _start(db)
    _say(db, token, "a question about a parking fine")
    with db.unit_of_work() as s:
        operations.take(s, other, chat_id)
    with db.unit_of_work() as s:
        targets = {t["username"]: t for t in operations.transfer_targets(s, me)}
    assert other.username in targets and sup.username in targets
    assert me.username not in targets and handler.username not in targets
    assert targets[other.username]["active"] == 1 and targets[other.username]["user_id"] == other.user_id


def _start_api(client):  # type: ignore[no-untyped-def]
    res = client.post("/api/v1/chat/start", json={})
    assert res.status_code == 201, res.text
    return res.json()["token"]


def test_the_widget_socket_takes_the_token_in_its_first_frame(client):
    token = _start_api(client)
    with client.websocket_connect("/chat/ws") as ws:
        ws.send_json({"type": "hello", "token": token, "last_seq": 0})
        frames = []
        while not frames or frames[-1]["type"] != "status":
            frames.append(ws.receive_json())
        assert frames[0]["type"] == "message" and frames[-1]["reference"].startswith("WC")
        ws.send_json({"type": "message", "client_id": "m1", "body": "someone stole my bike"})
        ws.send_json({"type": "status"})
        got = ws.receive_json()
        while got["type"] != "status":
            got = ws.receive_json()
        assert got["status"] == "waiting" and got["position"] == 1


def test_the_widget_socket_refuses_a_first_frame_without_a_known_token(client):
    with client.websocket_connect("/chat/ws") as ws:
        ws.send_json({"type": "message", "body": "hi"})
        assert ws.receive_json()["code"] == "invalid_frame"
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()
    with client.websocket_connect("/chat/ws") as ws:
        ws.send_json({"type": "hello", "token": "not-a-real-token"})
        assert ws.receive_json()["code"] == "unknown_chat"


def test_the_widget_socket_keeps_the_origin_check(client):
    token = _start_api(client)
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(
            "/chat/ws", headers={"Origin": "http://evil.example"}) as ws:
        ws.send_json({"type": "hello", "token": token})
        ws.receive_json()


def test_the_console_can_ask_for_the_transfer_list(client, staff, until):
    staff(client, "chat_operator", name="sam.jones")
    from bluelamp.identity import service as identity

    with client.app.state.db.unit_of_work() as s:
        identity.add_user(s, "alex.brown", ["chat_operator"], "correct horse battery")
    with client.websocket_connect("/chat/ws/operator") as op:
        snap = until(op, lambda f: f["type"] == "snapshot")
        assert "alex.brown" in [o["username"] for o in snap["operators"]]
        op.send_json({"type": "operators"})
        listed = until(op, lambda f: f["type"] == "operators")
        assert [o["username"] for o in listed["operators"]] == ["alex.brown"]
