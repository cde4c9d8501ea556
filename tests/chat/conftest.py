"""Helpers for the chat tests: signed-in staff clients and chat settings for one test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

_n = itertools.count()


@pytest.fixture
def chat_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """set(**values): chat settings for this test (read by every app created afterwards)."""
    from bluelamp.chat.settings import get_chat_settings

    def set_(**values: object) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"BLUELAMP_CHAT_{key.upper()}", str(value))
        get_chat_settings.cache_clear()

    get_chat_settings.cache_clear()
    yield set_
    monkeypatch.undo()
    get_chat_settings.cache_clear()


@pytest.fixture
def staff(db, app, form_login):  # type: ignore[no-untyped-def]
    """staff(client, *roles, name=None) -> (user_id, username): a user signed in on that client's cookie."""
    from bluelamp.identity import service

    def sign_in(client: Any, *roles: str, name: str | None = None) -> tuple[int, str]:
        username = name or f"{roles[0].replace('_', '')}{next(_n)}"
        with db.unit_of_work() as session:
            user = service.add_user(session, username, list(roles), "correct horse battery")
            uid = user.id
        res = form_login(client, username)
        assert res.status_code == 303, res.text
        return uid, username

    return sign_in


def _receive_until(ws: Any, predicate: Any, limit: int = 50) -> dict[str, Any]:
    for _ in range(limit):
        frame = ws.receive_json()
        if predicate(frame):
            return frame
    raise AssertionError("expected frame never came")


@pytest.fixture
def until() -> Any:
    """until(ws, predicate): read frames until one matches (others are skipped)."""
    return _receive_until
