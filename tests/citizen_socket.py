"""Open the citizen's chat socket as the widget does: `/chat/ws`, the chat token in the first frame."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def hello(ws: Any, token: str, last_seq: int = 0) -> list[dict[str, Any]]:
    """Send the first frame (hello with the token); the frames it brings back, up to the status frame."""
    ws.send_json({"type": "hello", "token": token, "last_seq": last_seq})
    frames = []
    while True:
        frame = ws.receive_json()
        frames.append(frame)
        if frame["type"] in ("status", "error"):
            return frames


@contextmanager
def citizen_socket(client: Any, token: str, last_seq: int = 0) -> Iterator[Any]:
    """A socket on `/chat/ws` that has sent its hello (the replayed messages and status are read past)."""
    with client.websocket_connect("/chat/ws") as ws:
        hello(ws, token, last_seq)
        yield ws
