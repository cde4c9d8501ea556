"""The application factory: one FastAPI app for the API, the pages and the public channels."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.middleware.sessions import SessionMiddleware

from bluelamp import __version__
from bluelamp.audit.access import AccessLogMiddleware
from bluelamp.config import get_settings
from bluelamp.db.engine import Database, get_database
from bluelamp.db.migrate import upgrade
from bluelamp.policy import load_policy
from bluelamp.web import errors
from bluelamp.web.address_caps import AddressCaps, caps_from_settings
from bluelamp.web.admission import Admission
from bluelamp.web.auth import public, require_roles
from bluelamp.web.bounds import check_params
from bluelamp.web.collector import Collector
from bluelamp.web.limits import MAX_BODY_BYTES, BodyLimit
from bluelamp.web.pools import configure as configure_pool
from bluelamp.web.pools import pool
from bluelamp.web.security import SecurityMiddleware

log = logging.getLogger("bluelamp.web")
STATIC = Path(__file__).parent / "static"
HEALTH_TIMEOUT_S = 1.0

ROUTER_CONTEXTS = (
    "web", "identity", "audit", "contact", "triage", "response", "location", "chat", "crime", "victims",
    "demand", "performance", "telephony", "search",
)


def create_app(db: Database | None = None, run_jobs: bool = False, migrate: bool = True) -> FastAPI:
    settings = get_settings()
    db = db or get_database()
    load_policy()  # validate policy at start-up: a bad policy file stops the app here

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Sync routes run in a thread pool. A few threads keep a 2-core process busy; dozens only
        # fight over the GIL and the connection pool (measured with 50 clients on PostgreSQL: 40
        # threads 31/s and p99 9.6 s; 4 threads 61/s and p99 2.6 s). Extra requests wait in the
        # event loop instead.
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        configure_pool("contacts", settings.contact_threads)
        sys.setswitchinterval(settings.gil_switch_ms / 1000)  # see config.py: the GIL convoy
        # Load the triage model and start the worker processes before the first request, so that
        # neither the first 999 contact nor the first chat messages wait seconds for them.
        await anyio.to_thread.run_sync(_warm_up)
        collector = Collector(settings.gc_full_every_s)
        collector.start()  # web/collector.py: no full collection stalls the process mid-traffic
        runner = None
        if run_jobs:
            from bluelamp.jobs.runner import BackgroundRunner

            runner = BackgroundRunner(db)
            runner.start()
        app.state.job_runner = runner
        try:
            yield
        finally:
            if runner:
                runner.stop()
            await collector.stop()

    if migrate:
        upgrade(db.engine)
    # Swagger UI and ReDoc load their scripts from a CDN (nothing is fetched from the internet at run
    # time, and the CSP forbids it); /openapi.json stays, for admins only in production.
    app = FastAPI(title="bluelamp", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None if settings.is_production else "/openapi.json")
    app.state.db = db
    app.state.demo = False
    if settings.is_production:
        _admin_openapi(app)
    app.add_middleware(AccessLogMiddleware)  # every read of a personal record logged (audit/access.py)
    # Inside the session middleware (added after it = nearer the app), so it sees the session.
    app.add_middleware(SecurityMiddleware, allowed_origins=settings.allowed_origin_list(),
                       public_origins=settings.public_origin_list(), production=settings.is_production)
    app.add_middleware(
        SessionMiddleware, secret_key=settings.resolved_secret_key(), session_cookie="bluelamp_session",
        same_site="lax", https_only=settings.is_production, max_age=12 * 3600,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)

    # Bodies are counted as they arrive (chunked ones too) and refused with a 413 at the limit.
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    # Anonymous work past its bound is refused before anything else is spent on it.
    app.add_middleware(Admission, per_s=settings.anonymous_per_s, in_flight=settings.anonymous_in_flight)
    # Outermost: one address past its share of requests or sockets is refused first, so that it cannot
    # fill the anonymous bound above on its own either (web/address_caps.py).
    app.state.address_caps = caps_from_settings()
    app.add_middleware(AddressCaps, caps=app.state.address_caps)

    @app.get("/healthz", dependencies=[Depends(public)], tags=["health"])
    async def healthz() -> JSONResponse:
        """Within HEALTH_TIMEOUT_S: 200 when the database answers, else 503 (never waits on a lock)."""
        try:
            await asyncio.wait_for(pool("health").run(lambda: _database_answers(app.state.db)), HEALTH_TIMEOUT_S)
        except Exception:
            return JSONResponse({"status": "unavailable", "detail": "database does not answer"}, 503)
        return JSONResponse({"status": "ok"})

    # Every integer and date in a path or query is bounded, for every route (web/bounds.py).
    app.router.dependencies.append(Depends(check_params))
    app.state.mounted = []  # (prefix, router) pairs: the route-role test walks these
    for name in ROUTER_CONTEXTS:
        for part, prefix in (("api", "/api/v1"), ("pages", "")):
            module = f"bluelamp.{name}.{part}"
            if importlib.util.find_spec(f"bluelamp.{name}") is None or importlib.util.find_spec(module) is None:
                continue
            router = getattr(importlib.import_module(module), "router", None)
            if router is not None:
                app.include_router(router, prefix=prefix)
                app.state.mounted.append((prefix, router))
    return app


def _warm_up() -> None:
    from bluelamp import cpu
    from bluelamp.triage import service as triage

    triage.screen_text("warm-up")
    cpu.start()


def _admin_openapi(app: FastAPI) -> None:
    @app.get("/openapi.json", dependencies=[Depends(require_roles())], include_in_schema=False)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())


def _database_answers(db: Database) -> None:
    # A read-only connection (a deferred BEGIN on SQLite, so a held write lock does not stall it).
    with db.read_engine.connect() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("SET LOCAL statement_timeout = 1000"))
        conn.execute(text("SELECT 1"))
