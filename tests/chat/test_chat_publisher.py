"""The fan-out publisher thread (chat/publisher.py): what waits goes out in one transaction, and a
NOTIFY that cannot be sent makes the next one ask every other process to resync."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from bluelamp.chat import hub as hubs
from bluelamp.chat.model import Event
from bluelamp.chat.publisher import Publisher

RESYNC = '{"r": 1}'


class FakeConnection:
    """Records each transaction's notifications; the first one can be held until released."""

    def __init__(self, log: list[list[str]], hold: threading.Event | None = None,
                 holding: threading.Event | None = None) -> None:
        self.log, self.hold, self.holding = log, hold, holding
        self.current: list[str] = []

    def execute(self, query: str, params: Any = None) -> None:
        if params is not None:
            self.current.append(params[1])
            if self.hold is not None and self.holding is not None:
                self.holding.set()
                self.hold.wait(5)
                self.hold = None

    def commit(self) -> None:
        self.log.append(self.current)
        self.current = []

    def close(self) -> None:
        pass


def payloads(events: list[Event]) -> list[str]:
    return [json.dumps([e.frame["n"] for e in events])]


def sent_numbers(log: list[list[str]]) -> list[int]:
    return [n for tx in log for p in tx if p != RESYNC for n in json.loads(p)]


def wait_for(check: Any) -> None:
    deadline = time.monotonic() + 5
    while not check():
        assert time.monotonic() < deadline, "the publisher did not get there"
        time.sleep(0.01)


def events(*numbers: int) -> list[Event]:
    return [Event("queue", {"type": "chat", "n": n}) for n in numbers]


def test_what_waits_while_a_notify_is_sent_goes_out_in_one_transaction():
    log: list[list[str]] = []
    hold, holding = threading.Event(), threading.Event()
    pub = Publisher(lambda: FakeConnection(log, hold, holding), "ch", payloads, RESYNC)
    pub.put(events(0))
    assert holding.wait(5)
    for n in range(1, 11):  # ten actions commit while the first NOTIFY is in flight
        pub.put(events(n))
    hold.set()
    wait_for(lambda: len(sent_numbers(log)) == 11)
    pub.stop()
    assert log == [["[0]"], [json.dumps(list(range(1, 11)))]]


def test_a_failed_notify_makes_the_next_one_ask_everyone_to_resync():
    log: list[list[str]] = []
    attempts: list[int] = []

    def connect() -> FakeConnection:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("database away")
        return FakeConnection(log)

    pub = Publisher(connect, "ch", payloads, RESYNC)
    pub.put(events(1))
    wait_for(lambda: len(log) == 1)  # retried on its own, without waiting for another message
    pub.put(events(2))
    wait_for(lambda: len(log) == 2)
    pub.stop()
    assert log[0] == [RESYNC]  # event 1 was not sent: the others are told to catch up
    assert log[1] == ["[2]"]


def test_a_backlog_past_its_bound_is_replaced_by_one_resync():
    log: list[list[str]] = []
    hold, holding = threading.Event(), threading.Event()
    pub = Publisher(lambda: FakeConnection(log, hold, holding), "ch", payloads, RESYNC, backlog=5)
    pub.put(events(0))
    assert holding.wait(5)
    pub.put(events(1, 2, 3))
    pub.put(events(4, 5, 6))  # 6 waiting would pass the bound of 5
    pub.put(events(7))
    hold.set()
    wait_for(lambda: len(log) == 2)
    pub.stop()
    assert log[1] == [RESYNC, "[7]"]


def test_stop_sends_what_is_waiting_first():
    log: list[list[str]] = []
    hold, holding = threading.Event(), threading.Event()
    pub = Publisher(lambda: FakeConnection(log, hold, holding), "ch", payloads, RESYNC)
    pub.put(events(0))
    assert holding.wait(5)
    pub.put(events(1))
    hold.set()
    pub.stop()
    assert sent_numbers(log) == [0, 1]
    pub.put(events(2))  # after stop: not sent, and no thread started again
    time.sleep(0.05)
    assert sent_numbers(log) == [0, 1]


def test_a_resync_notice_from_another_process_resyncs_every_socket(db):
    hub = hubs.Hub("sqlite://", "sqlite")
    got: list[tuple[str, str]] = []

    class Fake:
        def __init__(self, name: str) -> None:
            self.name, self.topics = name, set()

        def push(self, text: str) -> None:
            got.append((self.name, json.loads(text)["type"]))

    a, b = Fake("a"), Fake("b")
    hub.subscribe(a, "chat:1:public")  # type: ignore[arg-type]
    hub.subscribe(b, "queue")  # type: ignore[arg-type]
    hub.receive(json.dumps({"o": hub.origin, "r": 1}))  # its own notice: nothing to do
    assert got == []
    hub.receive(json.dumps({"o": "another process", "r": 1}))
    assert sorted(got) == [("a", "resync"), ("b", "resync")]
