"""The garbage collector of a server process: what start-up loaded is frozen out of its view, and the
full (generation 2) collections run on a schedule of their own instead of whenever Python decides.

Why: a full collection walks every tracked container object while holding the GIL, so the event loop
and every request thread stop until it ends. Measured in the server during the chat benchmark
(1,000 chats on PostgreSQL, load 6-10; BENCHMARKS.md, session 7): every stall of the event loop over
250 ms was one of these collections. A started server holds about 360,000 objects for its whole life
(the modules of FastAPI, SQLAlchemy, pydantic, numpy, the triage model, the app): 150-560 ms a full
collection. Frozen after start-up (`gc.freeze`), they are never walked again; but 1,000 open sockets
are another ~215,000 objects (uvicorn's and the websockets library's state, the middleware frames,
each socket's outbox), still 330 ms a full collection, and Python ran one every 30-50 s under the
benchmark's load: each a hole of a third of a second in every chat's delivery.

So young objects are still collected as Python does (generations 0 and 1: a few milliseconds), but a
full collection runs only every `BLUELAMP_GC_FULL_EVERY_S` seconds (300 by default; 0 keeps Python's
own schedule). The price: a garbage cycle that outlived two young collections waits up to that long
to be freed. At shutdown everything is given back as it was (`gc.unfreeze`, the old thresholds), so
an app started again in the same process (the tests) frees what this one held.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc

# Generation 2 is collected automatically only after this many generation-1 collections: never, in
# practice (Python's default is 10); the scheduled collection resets the count.
NEVER = 1_000_000


_collected_once = False


def freeze_start_up_objects() -> None:
    """Move everything alive into the permanent generation, after freeing the garbage of the imports.

    That full collection (a third of a second) runs at the first start-up of a process only: an app
    started again in the same process (the tests start hundreds) freezes what is there at once, its
    garbage too, and its shutdown unfreezes it all, so nothing stays out of the collector's reach.
    """
    global _collected_once
    if not _collected_once:
        gc.collect()
        _collected_once = True
    gc.freeze()


async def collect_on_schedule(every_s: float) -> None:
    """A full collection every `every_s` seconds (it stops the process for as long as it takes)."""
    while True:
        await asyncio.sleep(every_s)
        gc.collect()


class Collector:
    """Started with the app (web/app.py's lifespan, after the warm-up), stopped at its shutdown."""

    def __init__(self, full_every_s: float) -> None:
        self.full_every_s = full_every_s
        self.thresholds = gc.get_threshold()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        freeze_start_up_objects()
        if self.full_every_s > 0:
            young, middle = self.thresholds[0], self.thresholds[1]
            gc.set_threshold(young, middle, NEVER)
            self.task = asyncio.get_running_loop().create_task(collect_on_schedule(self.full_every_s))

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
        gc.set_threshold(*self.thresholds)
        gc.unfreeze()
