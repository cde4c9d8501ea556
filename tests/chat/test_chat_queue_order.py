"""The chat queue's order is SQL (chat/store.py `waiting_chats` and `queue_position`), so it is tested
against the database (issue 11 item 9: the old test sorted with a Python key production never used)."""

from __future__ import annotations

from datetime import UTC, datetime

from bluelamp.chat import store
from bluelamp.chat.store import Chat

T1, T2 = datetime(2026, 3, 1, 21, 0, tzinfo=UTC), datetime(2026, 3, 1, 21, 5, tzinfo=UTC)
ROWS = {  # name: (risk grade, emergency, queued at)
    "late-grade2": (2, False, T2), "early-grade3": (3, False, T1), "late-emergency-grade3": (3, True, T2),
    "early-grade2": (2, False, T1), "early-grade1": (1, False, T1), "early-emergency-grade2": (2, True, T1),
}


def test_the_queue_puts_an_emergency_first_then_risk_then_the_longest_wait(db):
    with db.unit_of_work() as session:
        ids = {}
        for name, (grade, emergency, queued) in ROWS.items():
            chat = Chat(token_digest=name.ljust(64, "x"), status="waiting", started_at=queued, queued_at=queued,
                        risk_grade=grade, emergency=emergency, flags=[], reasons=[])
            session.add(chat)
            session.flush()
            ids[chat.id] = name
        session.add(Chat(token_digest="answered".ljust(64, "x"), status="active", started_at=T1, queued_at=T1,
                         risk_grade=1, emergency=True, flags=[], reasons=[]))
    with db.unit_of_work() as session:
        order = [ids[c.id] for c in store.waiting_chats(session)]
        assert order == ["early-emergency-grade2", "late-emergency-grade3", "early-grade1", "early-grade2",
                         "late-grade2", "early-grade3"]
        positions = [store.queue_position(session, c) for c in store.waiting_chats(session)]
        assert positions == list(range(1, len(ROWS) + 1))  # the count agrees with the order
