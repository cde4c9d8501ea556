"""Across server processes: a message sent through one process reaches a socket held by another,
through PostgreSQL LISTEN/NOTIFY (two apps on one database stand in for two processes)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from bluelamp.chat import hub as hubs
from bluelamp.chat.model import Event
from citizen_socket import citizen_socket


def test_payloads_split_and_an_oversized_event_becomes_a_resync(db):
    hub = hubs.Hub("postgresql://x", "postgresql")
    small = [Event("queue", {"type": "chat", "n": i, "pad": "x" * 1000}) for i in range(20)]
    payloads = hub._payloads(small)
    assert len(payloads) > 1 and all(len(p.encode()) <= hubs.MAX_NOTIFY_BYTES for p in payloads)
    huge = hub._payloads([Event("chat:1:public", {"type": "message", "chat_id": 1, "seq": 9, "body": "é" * 4000})])
    assert '"resync"' in huge[0] and len(huge[0].encode()) < 1000


def test_a_hub_ignores_its_own_notifications_and_delivers_others(db):
    hub = hubs.Hub("sqlite://", "sqlite")
    got: list[str] = []

    class Fake:
        topics: set[str] = set()

        def push(self, text: str) -> None:
            got.append(text)

    conn = Fake()
    hub.subscribe(conn, "queue")  # type: ignore[arg-type]
    own = hub._payloads([Event("queue", {"type": "chat"})])[0]
    hub.receive(own)
    assert got == []
    other = hubs.Hub("sqlite://", "sqlite")._payloads([Event("queue", {"type": "chat"})])[0]
    hub.receive(other)
    assert len(got) == 1


def test_a_message_through_one_process_reaches_an_operator_on_another(db, staff, until):
    if db.dialect != "postgresql":
        pytest.skip("cross-process fan-out runs on PostgreSQL (SQLite deployments are one process)")
    from bluelamp.web.app import create_app

    app_a, app_b = create_app(db), create_app(db)
    with TestClient(app_a) as a, TestClient(app_b) as b:
        for app in (app_a, app_b):
            deadline = time.monotonic() + 10
            while not hubs.get_hub(app).listening.is_set():
                assert time.monotonic() < deadline, "listener did not start"
                time.sleep(0.05)
        staff(b, "chat_operator")
        token = a.post("/api/v1/chat/start", json={}).json()["token"]
        with b.websocket_connect("/chat/ws/operator") as op, citizen_socket(a, token) as ws:
            until(op, lambda f: f["type"] == "snapshot")
            ws.send_json({"type": "message", "client_id": "m1", "body": "Hello from process A"})
            queued = until(op, lambda f: f["type"] == "chat" and f["chat"]["status"] == "waiting")
            op.send_json({"type": "take", "chat_id": queued["chat"]["id"]})
            until(op, lambda f: f["type"] == "chat_view")
            # The operator's reply, made on process B, reaches the citizen's socket on process A.
            op.send_json({"type": "send", "chat_id": queued["chat"]["id"], "client_id": "r1", "body": "Hello from B"})
            reply = until(ws, lambda f: f["type"] == "message" and f["sender"] == "operator")
            assert reply["body"] == "Hello from B"
            ws.send_json({"type": "message", "client_id": "m2", "body": "Thanks"})
            seen = until(op, lambda f: f["type"] == "message" and f.get("sender") == "citizen" and f["seq"] > 2)
            assert seen["body"] == "Thanks"
