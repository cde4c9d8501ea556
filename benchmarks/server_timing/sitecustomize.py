# ruff: noqa  (measuring code of session 7, kept as it was run)
"""Timing inside a chat server (session 7, BENCHMARKS.md): put this folder first on PYTHONPATH and set
S7_PROF to a path prefix; every Python process started then writes `<prefix>.<pid>` every 5 s: each
`hubs.run` (wait for a request thread, statements, commit, hand-over to the event loop, NOTIFY), the
event loop's lag every 10 ms, and every garbage collection (generation, length, objects walked).

    PYTHONPATH=benchmarks/server_timing:src S7_PROF=/tmp/prof \
        python benchmarks/bench_chat_load.py --db postgresql --chats 1000 --interval 15 --seconds 60
    python benchmarks/server_timing/analyse.py /tmp/prof.<server pid>   # the largest file
    python benchmarks/server_timing/lag.py /tmp/prof.<server pid>

It copies `hubs.run` of session 7 to time it: re-check it against chat/hub.py before use.
"""
import os
if os.environ.get("S7_PROF"):
    import atexit, json, threading, time, asyncio, contextlib
    _recs = []
    _lag = []
    _tls = threading.local()

    def _install():
        from bluelamp.chat import hub as hubs, ws as wsmod, service
        from sqlalchemy import event
        from starlette.concurrency import run_in_threadpool
        import anyio.to_thread
        now = time.perf_counter

        orig_cm = service.citizen_message
        def citizen_message(session, token, body, client_id):
            r = orig_cm(session, token, body, client_id)
            _tls.kind = "msg_first" if any(e.topic == "queue" for e in r[1]) else "msg_later"
            return r
        service.citizen_message = citizen_message
        hooked = set()

        async def run(app, fn):
            hub = hubs.get_hub(app)
            db = app.state.db
            if id(db.engine) not in hooked:
                hooked.add(id(db.engine))
                @event.listens_for(db.engine, "before_cursor_execute")
                def _b(*a):
                    _tls.s = now()
                    if getattr(_tls, "first", None) is None:
                        _tls.first = _tls.s
                @event.listens_for(db.engine, "after_cursor_execute")
                def _a(*a):
                    _tls.db = getattr(_tls, "db", 0.0) + now() - getattr(_tls, "s", now())
                    _tls.n = getattr(_tls, "n", 0) + 1
            loop = asyncio.get_running_loop()
            rec = {"t0": now(), "busy": anyio.to_thread.current_default_thread_limiter().borrowed_tokens}
            def deliver(events):
                rec["t_deliver"] = now()
                hub.deliver(events)
            def work():
                rec["t1"] = now(); _tls.kind = "other"; _tls.db = 0.0; _tls.n = 0; _tls.first = None
                lock = hub.write_lock if hub.serialise_writes else contextlib.nullcontext()
                with lock, db.unit_of_work() as session:
                    rec["t2"] = now(); rec["c2"] = time.thread_time()  # session 8: CPU beside wall
                    result, events = fn(session)
                    rec["t3"] = now(); rec["c3"] = time.thread_time()
                rec["t4"] = now(); rec["c4"] = time.thread_time(); rec["db"] = _tls.db; rec["n"] = _tls.n; rec["first_sql"] = _tls.first
                rec["kind"] = _tls.kind
                if events:
                    loop.call_soon_threadsafe(deliver, events)
                    try:
                        hub.publish(events)  # session 8: handed to the publisher thread
                    except TypeError:
                        hub.publish(db.engine, events)  # session 7: the NOTIFY on this thread
                rec["t5"] = now()
                return result
            try:
                return await run_in_threadpool(work)
            finally:
                rec["t6"] = now()
                _recs.append(rec)
        hubs.run = run

        async def lagger():
            while True:
                t = now(); await asyncio.sleep(0.01); _lag.append((t, now() - t - 0.01))
        orig_start = hubs.Hub.start
        async def start(self):
            asyncio.create_task(lagger())
            await orig_start(self)
        hubs.Hub.start = start

    def _dump():
        if not _recs:
            return
        out = os.environ["S7_PROF"] + f".{os.getpid()}"
        with open(out + ".tmp", "w") as f:
            json.dump({"recs": list(_recs), "lag": list(_lag), "gc": list(_gc), "gc_count": len(gc.get_objects()) if False else 0}, f)
        os.replace(out + ".tmp", out)
    atexit.register(_dump)
    def _dumper():
        while True:
            time.sleep(5)
            try:
                _dump()
            except Exception as exc:
                open(os.environ["S7_PROF"] + ".err", "a").write(repr(exc) + "\n")
    threading.Thread(target=_dumper, daemon=True).start()

    _install()
    import gc
    _gc = []
    _gcs = {}
    def _gccb(phase, info):
        if phase == "start":
            _gcs["t"] = time.perf_counter()
        else:
            t = _gcs.get("t", time.perf_counter())
            _gc.append((t, info["generation"], time.perf_counter() - t, info["collected"], len(gc.get_objects()) if info["generation"] == 2 else 0, gc.get_freeze_count() if info["generation"] == 2 else 0))
    gc.callbacks.append(_gccb)

if os.environ.get("S8_ISO"):
    import sys as _sys
    _sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import iso as _iso
    _iso.install()
if os.environ.get("S8_SAMPLE"):
    import sys as _sys
    _sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import iso as _iso
    _iso.install_sampler()
