"""The application factory: one FastAPI app for the API, the pages and the public channels."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.middleware.sessions import SessionMiddleware

from bluelamp import __version__
from bluelamp.config import get_settings
from bluelamp.db.engine import Database, get_database
from bluelamp.db.migrate import upgrade
from bluelamp.policy import load_policy
from bluelamp.web.auth import LoginRequired, public

log = logging.getLogger("bluelamp.web")
STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 1_000_000

ROUTER_CONTEXTS = (
    "web", "identity", "audit", "contact", "triage", "response", "chat", "crime", "victims",
    "demand", "performance",
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
        runner = None
        if run_jobs:
            from bluelamp.jobs.runner import BackgroundRunner

            runner = BackgroundRunner(db)
            runner.start()
        yield
        if runner:
            runner.stop()

    if migrate:
        upgrade(db.engine)
    app = FastAPI(title="bluelamp", version=__version__, lifespan=lifespan)
    app.state.db = db
    app.state.demo = False
    app.add_middleware(
        SessionMiddleware, secret_key=settings.resolved_secret_key(), session_cookie="bluelamp_session",
        same_site="lax", https_only=settings.is_production, max_age=12 * 3600,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_error_handlers(app)

    @app.middleware("http")
    async def _limit_body(request: Request, call_next: Any) -> Any:
        # Refuse huge bodies before reading them; the narrative limit is checked again by the schema.
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return JSONResponse({"detail": f"body: larger than {MAX_BODY_BYTES} bytes"}, 413)
        return await call_next(request)

    @app.get("/healthz", dependencies=[Depends(public)], tags=["health"])
    def healthz() -> JSONResponse:
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable", "detail": "database does not answer"}, 503)
        return JSONResponse({"status": "ok"})

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


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Name the bad field; never echo the submitted value (it may be personal data).
        errors = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
            errors.append({"field": ".".join(loc) or "body", "message": err.get("msg", "invalid"),
                           "type": err.get("type")})
        status = 413 if any(e["type"] == "string_too_long" and e["field"] == "narrative" for e in errors) else 422
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        return JSONResponse({"detail": f"{first['field']}: {first['message']}", "errors": errors}, status)

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable on %s", request.url.path)
        return JSONResponse({"detail": "database unavailable; nothing was recorded, try again"}, 503,
                            headers={"Retry-After": "5"})

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return JSONResponse({"detail": "database unavailable; nothing was recorded, try again"}, 503)
        log.error("database error on %s: %s", request.url.path, type(exc.orig).__name__)
        return JSONResponse({"detail": "database error; nothing was recorded"}, 500)

