"""Helpers for the telephony tests: a feed client and events relative to the fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest


def ev(call_id: str, event: str, at: datetime, line: str = "101", **kw: Any) -> dict[str, Any]:
    return {"call_id": call_id, "event": event, "line": line, "at": at.isoformat().replace("+00:00", "Z"), **kw}


@pytest.fixture
def feed(client, make_user) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """feed([events]) -> the 202 JSON of POST /api/v1/telephony/events as the platform."""
    _, headers = make_user("telephony")

    def post(events: list[dict[str, Any]], status: int = 202) -> Any:
        res = client.post("/api/v1/telephony/events", headers=headers, json=events)
        assert res.status_code == status, res.text
        return res.json()

    return post


@pytest.fixture
def abandoned(feed, fixed_clock) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """abandoned(call_id, number, line="101", wait_s=90, minutes_ago=5): an offered call the caller left."""

    def make(call_id: str, number: str | None = "07700 900123", line: str = "101", wait_s: float = 90,
             minutes_ago: float = 5) -> Any:
        t = fixed_clock.now - timedelta(minutes=minutes_ago)
        extra = {"number": number} if number else {}
        return feed([ev(call_id, "offered", t, line, **extra),
                     ev(call_id, "abandoned", t + timedelta(seconds=wait_s), line)])

    return make
