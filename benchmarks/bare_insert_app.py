"""The baseline for bench_contacts_api.py: the same stack doing the least a write endpoint can do.

FastAPI, SQLAlchemy and psycopg in one uvicorn process, a sync route in the same size of thread pool
as bluelamp's (settings.request_threads), one INSERT of the JSON body into `bench_bare` in the same
database and one commit per request. Nothing else: no auth, no validation beyond JSON, no audit.

    BENCH_BARE_URL=postgresql+psycopg://... uvicorn --factory bare_insert_app:create_app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Body, FastAPI
from sqlalchemy import JSON, Column, Integer, MetaData, Table, create_engine, insert

metadata = MetaData()
bare = Table("bench_bare", metadata, Column("id", Integer, primary_key=True), Column("body", JSON))


def create_app() -> FastAPI:
    engine = create_engine(os.environ["BENCH_BARE_URL"], pool_size=10, max_overflow=20)
    metadata.create_all(engine)
    threads = int(os.environ.get("BENCH_BARE_THREADS", "4"))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/bare", status_code=201)
    def record(body: Annotated[dict[str, Any], Body()]) -> dict[str, int]:
        with engine.begin() as conn:
            new_id = conn.execute(insert(bare).values(body=body).returning(bare.c.id)).scalar_one()
        return {"id": int(new_id)}

    return app
