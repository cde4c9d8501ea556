"""A chat's first message (it moves the chat from new to waiting and tells the queue) is delivered
once and in order like every other, and events go out only after their transaction commits."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bluelamp.chat import hub as hubs
from bluelamp.chat import service
from bluelamp.chat.model import ChatError, Event
from bluelamp.chat.store import Chat, ChatMessage
from citizen_socket import citizen_socket


def test_the_first_messages_are_echoed_once_each_in_order_and_queue_the_chat_once(client, staff, until):  # type: ignore[no-untyped-def]
    staff(client, "chat_operator")
    token = client.post("/api/v1/chat/start", json={}).json()["token"]
    with client.websocket_connect("/chat/ws/operator") as op, citizen_socket(client, token) as ws:
        until(op, lambda f: f["type"] == "snapshot")
        for i in range(3):
            ws.send_json({"type": "message", "client_id": f"m{i}", "body": f"Someone damaged my car, part {i}"})
        echoes = [until(ws, lambda f: f["type"] == "message" and f.get("client_id", "").startswith("m"))
                  for _ in range(3)]
        assert [e["client_id"] for e in echoes] == ["m0", "m1", "m2"]
        assert [e["seq"] for e in echoes] == sorted({e["seq"] for e in echoes})  # rising, no repeat
        waiting = until(op, lambda f: f["type"] == "chat" and f["chat"]["status"] == "waiting")
        assert waiting["chat"]["last_seq"] == echoes[0]["seq"]  # queued by the first message itself
        ws.send_json({"type": "message", "client_id": "m0", "body": "Someone damaged my car, part 0"})
        resent = until(ws, lambda f: f["type"] == "message" and f.get("client_id") == "m0")
        assert resent["seq"] == echoes[0]["seq"]  # a resend of the first is acknowledged, not stored again
    with client.app.state.db.unit_of_work(write=False) as session:
        chat = service.chat_for_token(session, token)
        stored = [m.client_id for m in session.execute(
            select(ChatMessage).where(ChatMessage.chat_id == chat.id, ChatMessage.sender == "citizen")
            .order_by(ChatMessage.seq)).scalars()]
        assert stored == ["m0", "m1", "m2"] and chat.status == "waiting"


class _Listener:
    """A subscriber that, as each event arrives, looks for its chat from a connection of its own."""

    topics: set[str] = set()

    def __init__(self, db) -> None:  # type: ignore[no-untyped-def]
        self.db, self.seen = db, []  # type: ignore[var-annotated]

    def push(self, text: str) -> None:
        chat_id = json.loads(text)["chat"]["id"]
        with self.db.unit_of_work(write=False) as session:
            self.seen.append(session.get(Chat, chat_id) is not None)


def test_events_reach_sockets_only_after_their_transaction_commits(app) -> None:  # type: ignore[no-untyped-def]
    hub = hubs.get_hub(app)
    listener = _Listener(app.state.db)
    hub.subscribe(listener, "queue")  # type: ignore[arg-type]

    def fails(session):  # type: ignore[no-untyped-def]
        service.start_chat(session)
        raise ChatError("refused after the change", "closed", 409)

    def works(session):  # type: ignore[no-untyped-def]
        token, chat, _ = service.start_chat(session)
        session.flush()
        return token, [Event("queue", {"type": "chat", "chat": {"id": chat.id}})]

    async def both() -> None:
        with pytest.raises(ChatError):
            await hubs.run(app, fails)
        for _ in range(3):
            await hubs.run(app, works)

    # in a thread of its own: a test before this one in the same worker may leave an event loop running here
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, both()).result()
    assert listener.seen == [True, True, True]  # every event found its chat already committed
