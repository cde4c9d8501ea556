"""Shared fixtures: a real database (SQLite by default, PostgreSQL when BLUELAMP_TEST_DATABASE_URL says so),
the app on it, users with roles, and an injectable clock.

Each pytest worker gets its own database, migrated once with Alembic; every test starts from empty
tables, so tests never depend on each other.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REAL_DATA = SHARED / "data" / "real"


@pytest.fixture(scope="session", autouse=True)
def _environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    var = tmp_path_factory.mktemp("var")
    os.environ["BLUELAMP_VAR_DIR"] = str(var)
    os.environ["BLUELAMP_ENV"] = "test"
    os.environ.pop("BLUELAMP_DATABASE_URL", None)
    from bluelamp.config import get_settings

    get_settings.cache_clear()
    yield var


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(_environment: Path) -> Iterator[str]:
    """A fresh database for this worker, migrated to head (PostgreSQL: dropped again at the end)."""
    base = os.environ.get("BLUELAMP_TEST_DATABASE_URL", "")
    admin = None
    if not base:
        url = f"sqlite:///{_environment / f'test-{_worker()}.sqlite3'}"
    else:
        parsed = make_url(base)
        # The process id keeps two test runs on one server (a developer's and CI's) apart.
        name = f"bluelamp_test_{_worker()}_{os.getpid()}"
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = parsed.set(database=name).render_as_string(hide_password=False)
    from bluelamp.db.engine import get_database
    from bluelamp.db.migrate import upgrade

    upgrade(get_database(url).engine)
    os.environ["BLUELAMP_DATABASE_URL"] = url  # so subprocess commands use the same database
    from bluelamp.config import get_settings

    get_settings.cache_clear()
    yield url
    if admin is not None:
        get_database(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


def _clean(db: object) -> None:
    from bluelamp.db.base import Base

    engine = db.engine  # type: ignore[attr-defined]
    from bluelamp.audit.sealer import sealer_for

    sealer_for(engine).wait_idle()  # a round the last test left running would chain into this one
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name == "alembic_version":
                continue
            conn.execute(table.delete())
        conn.execute(text("INSERT INTO audit_head (id, seq, digest) VALUES (1, 0, :d)"), {"d": "0" * 64})
    from bluelamp.audit.service import anchor_path_for

    anchor_path_for(str(engine.url)).unlink(missing_ok=True)
    anchor_path_for(str(engine.url)).with_suffix(".alarm").unlink(missing_ok=True)
    from bluelamp.location import boundaries

    boundaries.invalidate()  # the in-process index of the boundaries just deleted
    from bluelamp.web.pages import throttle

    throttle.forget()  # the sign-in waits this process remembers, of the failures just deleted


@pytest.fixture
def db(database_url: str):  # type: ignore[no-untyped-def]
    from bluelamp.db.engine import get_database

    database = get_database(database_url)
    _clean(database)
    yield database


@pytest.fixture
def fixed_clock() -> Iterator[object]:
    from bluelamp import clock

    fc = clock.FixedClock(datetime(2026, 3, 1, 21, 0, tzinfo=UTC))
    previous = clock.set_clock(fc)
    yield fc
    clock.set_clock(previous)


@pytest.fixture
def app(db):  # type: ignore[no-untyped-def]
    from bluelamp.web.app import create_app

    return create_app(db)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


_counter = itertools.count()
# Users made by the fixtures below work in one team unless a test says otherwise (team=...), so that
# tests about something else need not set up separation of duties; tests/test_separation_of_duties.py
# puts people in different teams.
TEAM = "test-team"


@pytest.fixture
def make_user(db):  # type: ignore[no-untyped-def]
    """make_user("call_handler", ...) -> (username, bearer headers)."""
    from bluelamp.identity import service

    def make(*roles: str, password: str = "correct horse battery", team: str | None = TEAM
             ) -> tuple[str, dict[str, str]]:
        name = f"{roles[0]}{next(_counter)}"
        with db.unit_of_work() as session:
            service.add_user(session, name, list(roles), password, team=team)
            token = service.create_token(session, name)
        return name, {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def principal(db):  # type: ignore[no-untyped-def]
    from bluelamp.identity import service

    def make(*roles: str, team: str | None = TEAM):  # type: ignore[no-untyped-def]
        name = f"p{roles[0]}{next(_counter)}"
        with db.unit_of_work() as session:
            user = service.add_user(session, name, list(roles), "correct horse battery", team=team)
            return service.principal_of(user)

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that never asks for a database is pure computation: mark it `nodb`, so the PostgreSQL
    pass of scripts/test.sh can skip what the SQLite pass already proved."""
    for item in items:
        if "database_url" not in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.nodb)


@pytest.fixture
def live_server(app):  # type: ignore[no-untyped-def]
    """The app served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from bluelamp.web.limits import uvicorn_options

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="auto",
                                           **uvicorn_options()))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's chromium driven by Playwright (Playwright's own browser download is blocked here)."""
    import shutil

    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("chromium is not installed: scripts/test.sh installs it with apt-get")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


@pytest.fixture
def login(db):  # type: ignore[no-untyped-def]
    """login(page, base_url, *roles): create a user with those roles and sign in through the form."""
    from bluelamp.identity import service

    def do(pg, base: str, *roles: str) -> str:  # type: ignore[no-untyped-def]
        name = f"web{roles[0]}{next(_counter)}"
        with db.unit_of_work() as session:
            service.add_user(session, name, list(roles), "correct horse battery", team=TEAM)
        pg.goto(f"{base}/login")
        pg.fill("#username", name)
        pg.fill("#password", "correct horse battery")
        pg.click("button[type=submit]")
        pg.wait_for_load_state("networkidle")
        return name

    return do


# Shared by the crime and victims tests: a contact to record a crime from, a clock set to a working
# Monday, a row counter and principals without user rows.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2 March 2026, 09:00 GMT


@pytest.fixture
def clock0() -> Iterator[object]:
    from bluelamp import clock

    fc = clock.FixedClock(T0)
    previous = clock.set_clock(fc)
    yield fc
    clock.set_clock(previous)


@pytest.fixture
def make_contact(db):  # type: ignore[no-untyped-def]
    """make_contact(received_at=None) -> id of a decided 101 contact."""
    from bluelamp.contact.store import Contact

    def make(received_at: datetime | None = None, flags: list[str] | None = None) -> int:
        at = received_at or T0 - timedelta(hours=2)
        with db.unit_of_work() as session:
            c = Contact(channel="101", agency="police", source="test", received_at=at, answered_at=at,
                        narrative="Someone broke into my shed and took my bike", urban=True, answers={},
                        proposal={"grade": 3, "route": "appointment"}, grade=3, route="appointment",
                        flags=flags or [], policy_version="2026.1", household=[], status="decided",
                        recorded_by="user:test")
            session.add(c)
            session.flush()
            return c.id

    return make


@pytest.fixture
def count(db):  # type: ignore[no-untyped-def]
    """count(Table) -> rows in it."""
    from sqlalchemy import func, select

    def do(table) -> int:  # type: ignore[no-untyped-def]
        with db.unit_of_work() as session:
            return int(session.execute(select(func.count()).select_from(table)).scalar_one())

    return do


_ids = iter(range(10_000, 10**9))


@pytest.fixture
def who():  # type: ignore[no-untyped-def]
    """who("supervisor") -> a Principal with those roles (no user row: services need only the principal)."""
    from bluelamp.identity.model import Principal

    def make(*roles: str, team: str | None = TEAM) -> Principal:
        n = next(_ids)
        return Principal(user_id=n, username=f"{roles[0]}{n}", roles=frozenset(roles), team=team)

    return make



def csrf_of(client) -> str:  # type: ignore[no-untyped-def]
    """The CSRF token of the client's session, as the sign-in page hands it out."""
    import re

    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the sign-in form carries no CSRF token"
    return found.group(1)


def _form_login(client, username: str, password: str = "correct horse battery"):  # type: ignore[no-untyped-def]
    """Sign in through the form as a browser does (GET /login for the token, then POST); afterwards the
    client sends the new session's token in X-CSRF-Token, as the pages' script does."""
    token = csrf_of(client)
    res = client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                      follow_redirects=False)
    if res.status_code == 303:
        client.headers["X-CSRF-Token"] = csrf_of(client)
    return res


@pytest.fixture
def form_login():  # type: ignore[no-untyped-def]
    """form_login(client, username, password=...) -> the sign-in response."""
    return _form_login


@pytest.fixture()
def fresh_access_caches():  # type: ignore[no-untyped-def]
    """The access log's in-process enumeration detector and list de-duplication, empty before and after
    (modules that count access-log rows use it: `pytestmark = pytest.mark.usefixtures(...)`)."""
    from bluelamp.audit.access import detector, recent_lists

    detector.clear()
    recent_lists.clear()
    yield
    detector.clear()
    recent_lists.clear()
