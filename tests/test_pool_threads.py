"""BLUELAMP_CONTACT_THREADS sizes the contact-recording pool, and pooled routes use the pool as sized."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from bluelamp.web import pools


def test_configure_resizes_the_pool_that_pooled_routes_run_in() -> None:
    before = pools.pool("contacts")
    try:
        pools.configure("contacts", before.spec.threads + 3)
        resized = pools.pool("contacts")
        assert resized is not before and resized.spec.threads == before.spec.threads + 3
        assert resized.spec.max_waiting is None  # contact recording is still never refused

        @pools.pooled("contacts")
        def where() -> str:
            return threading.current_thread().name

        # asyncio.run in a thread of its own: a browser test's Playwright (sync API) may have left an
        # event loop set in the main thread of this process
        with ThreadPoolExecutor(1) as runner:
            assert runner.submit(asyncio.run, where()).result(timeout=30).startswith("bluelamp-contacts")
        assert resized.executor._max_workers == before.spec.threads + 3  # type: ignore[attr-defined]
    finally:
        pools._pools["contacts"] = before


def test_the_setting_reaches_the_pool_at_start_up(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from bluelamp.config import get_settings
    from bluelamp.web.app import create_app

    before = pools.pool("contacts")
    monkeypatch.setenv("BLUELAMP_CONTACT_THREADS", "6")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(db)):
            assert pools.pool("contacts").spec.threads == 6
    finally:
        get_settings.cache_clear()
        pools._pools["contacts"] = before
