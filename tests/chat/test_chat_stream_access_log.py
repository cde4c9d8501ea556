"""Issue 12 item 3, live chat: every chat whose live messages an operator's console receives is a read in
the access log, once per operator and chat within the window however often the console reconnects."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bluelamp.audit.store import AccessEntry

pytestmark = pytest.mark.usefixtures("fresh_access_caches")


def _reads(db, actor: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return [(r.kind, r.record_id, r.route) for r in s.execute(
            select(AccessEntry).where(AccessEntry.actor == actor).order_by(AccessEntry.id)).scalars()]


def _active_chat(db, operator_username: str) -> int:  # type: ignore[no-untyped-def]
    from bluelamp.chat import operations
    from bluelamp.chat import service as chat
    from bluelamp.identity import service as identity
    from bluelamp.identity.store import User

    with db.unit_of_work() as s:
        token, started, _ = chat.start_chat(s, {"name": "Pat Lee", "phone": "07700 900111"})
        chat_id = started.id
    with db.unit_of_work() as s:
        chat.citizen_message(s, token, "My ex keeps turning up at my door", "c1")
    with db.unit_of_work() as s:
        user = s.execute(select(User).where(User.username == operator_username)).scalar_one()
        operations.take(s, identity.principal_of(user), chat_id)
    return chat_id


def test_a_console_logs_each_chat_stream_it_receives_once_however_often_it_reconnects(client, db, staff, until):
    from bluelamp.chat.ws import STREAM_ROUTE

    _, username = staff(client, "chat_operator")
    chat_id = _active_chat(db, username)
    snaps: list[dict[str, Any]] = []
    for _ in range(4):  # a flaky network: the console reconnects again and again
        with client.websocket_connect("/chat/ws/operator") as op:
            snaps.append(until(op, lambda f: f["type"] == "snapshot"))
    assert all(snap["mine"] == [chat_id] for snap in snaps)
    assert _reads(db, f"user:{username}") == [("chat", str(chat_id), STREAM_ROUTE)]


def test_a_console_with_no_chats_of_its_own_logs_no_stream(client, db, staff, until):
    _, username = staff(client, "chat_operator")
    with client.websocket_connect("/chat/ws/operator") as op:
        assert until(op, lambda f: f["type"] == "snapshot")["mine"] == []
    assert _reads(db, f"user:{username}") == []
