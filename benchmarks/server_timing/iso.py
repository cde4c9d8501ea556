# ruff: noqa  (measuring code of session 8, kept as it was run)
"""Timing inside a server for the isolation benchmark (session 8, BENCHMARKS.md). Installed by this
folder's sitecustomize when S8_ISO is set to a path prefix; each process writes `<prefix>.<pid>`:

- every request as the outermost middleware (Admission) sees it: path, method, status, in and out;
- every run in a pool of web/pools.py: pool, submitted, started in its thread, ended, thread CPU;
- the event loop's lag every 10 ms, every garbage collection, and each thread's CPU every second
  (from /proc, by thread name: MainThread is the event loop).

    PYTHONPATH=benchmarks/server_timing:src S8_ISO=/tmp/iso python benchmarks/bench_isolation.py ...
    python benchmarks/server_timing/iso_analyse.py /tmp/iso.<server pid>
"""
import asyncio, atexit, gc, json, os, threading, time

now = time.perf_counter
reqs, runs, lag, gcs, cpu = [], [], [], [], []
_started = []


def _thread_cpu():
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for t in threading.enumerate():
        try:
            with open(f"/proc/self/task/{t.native_id}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[f"{t.name}#{t.native_id}"] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, TypeError):
            pass
    for tid in os.listdir("/proc/self/task"):  # threads Python does not know (none expected)
        pass
    return out


def _sampler():
    while True:
        time.sleep(1)
        cpu.append((now(), _thread_cpu(), os.getloadavg()[0]))


async def _lagger():
    while True:
        t = now()
        await asyncio.sleep(0.01)
        lag.append((t, now() - t - 0.01))


def install():
    from bluelamp.web import admission, pools

    orig_call = admission.Admission.__call__

    async def call(self, scope, receive, send):
        if not _started:
            _started.append(1)
            asyncio.get_running_loop().create_task(_lagger())
        if scope["type"] != "http":
            return await orig_call(self, scope, receive, send)
        rec = {"p": scope.get("path", ""), "m": scope.get("method", ""), "t0": now(), "s": None}

        async def send2(message):
            if message["type"] == "http.response.start":
                rec["s"] = message["status"]
            await send(message)
        try:
            await orig_call(self, scope, receive, send2)
        finally:
            rec["t1"] = now()
            reqs.append(rec)
    admission.Admission.__call__ = call

    orig_run = pools._Pool.run
    names = {id(p): n for n, p in pools._pools.items()}

    async def run(self, fn):
        rec = {"pool": names.get(id(self), "?"), "t0": now()}

        def timed():
            rec["t1"] = now()
            c = time.thread_time()
            try:
                return fn()
            finally:
                rec["cpu"] = time.thread_time() - c
                rec["t2"] = now()
        try:
            return await orig_run(self, timed)
        finally:
            rec["t3"] = now()
            runs.append(rec)
    pools._Pool.run = run

    st = {}

    def cb(phase, info):
        if phase == "start":
            st["t"] = now()
        else:
            gcs.append((st.get("t", now()), info["generation"], now() - st.get("t", now())))
    gc.callbacks.append(cb)
    threading.Thread(target=_sampler, daemon=True).start()

    def dump():
        if not reqs:
            return
        out = os.environ["S8_ISO"] + f".{os.getpid()}"
        with open(out + ".tmp", "w") as f:
            json.dump({"reqs": list(reqs), "runs": list(runs), "lag": list(lag), "gc": list(gcs),
                       "cpu": list(cpu)}, f)
        os.replace(out + ".tmp", out)
    atexit.register(dump)

    def dumper():
        while True:
            time.sleep(5)
            try:
                dump()
            except Exception as exc:
                open(os.environ["S8_ISO"] + ".err", "a").write(repr(exc) + "\n")
    threading.Thread(target=dumper, daemon=True).start()


samples = {}


def _stack_sampler(every_s):
    """Every few ms, where each thread is (its innermost frames of our code and libraries): the
    sampler needs the GIL itself, so a thread seen in the same place often is either running there or
    waiting there (I/O, the GIL); read it beside the thread CPU above."""
    import sys, traceback
    me = threading.get_ident()
    while True:
        time.sleep(every_s)
        names = {t.ident: t.name for t in threading.enumerate()}
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            stack = traceback.extract_stack(frame)[-4:]
            key = names.get(ident, "?").rstrip("0123456789_-") + " | " + " < ".join(
                f"{os.path.basename(f.filename)}:{f.name}" for f in reversed(stack))
            samples[key] = samples.get(key, 0) + 1


def install_sampler():
    threading.Thread(target=_stack_sampler, args=(float(os.environ.get("S8_SAMPLE_S", "0.005")),), daemon=True).start()

    def dump():
        out = os.environ["S8_SAMPLE"] + f".{os.getpid()}"
        with open(out, "w") as f:
            json.dump(sorted(samples.items(), key=lambda kv: -kv[1]), f)
    atexit.register(dump)

    def dumper():
        while True:
            time.sleep(5)
            dump()
    threading.Thread(target=dumper, daemon=True).start()
