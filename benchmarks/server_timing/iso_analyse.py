# ruff: noqa  (a measuring script of session 8, kept as it was run)
"""Where a 999 contact's time goes, alone and under a load (the output of iso.py, one server).

Phases are found from the requests: a second with sign-in requests belongs to the flood."""
import json, re, statistics, sys
from collections import Counter, defaultdict

d = json.load(open(sys.argv[1]))
reqs, runs = d["reqs"], d["runs"]


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")


contacts = sorted((r for r in reqs if r["p"] == "/api/v1/contacts" and r["m"] == "POST"), key=lambda r: r["t0"])
flood = sorted(r["t0"] for r in reqs if r["p"].startswith("/login"))
busy = {int(t) for t in flood}
other = sorted(r["t0"] for r in reqs if r["p"].startswith(("/api/v1/demand", "/api/v1/public")))
busy_other = {int(t) for t in other}
cruns = sorted((r for r in runs if r["pool"] == "contacts"), key=lambda r: r["t0"])


def phase_of(t):
    if int(t) in busy or int(t) - 1 in busy or int(t) + 1 in busy:
        return "login"
    if int(t) in busy_other or int(t) - 1 in busy_other or int(t) + 1 in busy_other:
        return "other"
    return "alone"


# match each contact request with the contacts-pool run that started inside it
j = 0
rows = defaultdict(list)
for r in contacts:
    while j < len(cruns) and cruns[j]["t0"] < r["t0"]:
        j += 1
    run = cruns[j] if j < len(cruns) and cruns[j]["t0"] <= r["t1"] else None
    total = r["t1"] - r["t0"]
    parts = {"total": total}
    if run:
        parts.update(before_pool=run["t0"] - r["t0"], pool_wait=run["t1"] - run["t0"],
                     in_thread=run["t2"] - run["t1"], thread_cpu=run["cpu"], back_to_loop=run["t3"] - run["t2"],
                     after_pool=r["t1"] - run["t3"])
    rows[phase_of(r["t0"])].append(parts)

for ph, lst in rows.items():
    print(f"== {ph}: {len(lst)} contacts (server-side times, ms: p50 / p90 / p99 / max)")
    for k in ("total", "before_pool", "pool_wait", "in_thread", "thread_cpu", "back_to_loop", "after_pool"):
        v = [x[k] * 1000 for x in lst if k in x]
        if v:
            print(f"  {k:13s} {pct(v, .5):7.1f} {pct(v, .9):7.1f} {pct(v, .99):7.1f} {max(v):7.1f}")
    slow = sorted(lst, key=lambda x: -x["total"])[:5]
    print("  slowest:", [{k: round(v * 1000, 1) for k, v in x.items()} for x in slow])

# the load by phase: requests a second and their answers
by = defaultdict(Counter)
for r in reqs:
    if r["p"] != "/api/v1/contacts":
        by[phase_of(r["t0"])][(r["m"], re.sub(r"\?.*", "", r["p"]), r["s"])] += 1
for ph, c in by.items():
    secs = len({int(r["t0"]) for r in reqs if phase_of(r["t0"]) == ph}) or 1
    print(f"== {ph}: other requests per second ({secs} s):", {f"{m} {p} {s}": round(n / secs, 1) for (m, p, s), n in c.most_common(8)})

# thread CPU by phase (cores used), from the samples a second
cpu = d["cpu"]
acc = defaultdict(Counter)
secs = Counter()
for (t0, a, _), (t1, b, la) in zip(cpu, cpu[1:]):
    ph = phase_of(t1)
    secs[ph] += t1 - t0
    for name, v in b.items():
        acc[ph][re.sub(r"[_-]?\d*#\d+$", "", name)] += v - a.get(name, v)
for ph in acc:
    print(f"== {ph}: CPU by thread (cores):", {k: round(v / secs[ph], 3) for k, v in acc[ph].most_common(8) if v > 0},
          "total", round(sum(acc[ph].values()) / secs[ph], 3))

# the event loop's lag and garbage collections by phase
lag = defaultdict(list)
for t, l in d["lag"]:
    lag[phase_of(t)].append(l * 1000)
for ph, v in lag.items():
    print(f"== {ph}: loop lag ms p50 {pct(v, .5):.2f} p99 {pct(v, .99):.1f} max {max(v):.1f}; >20 ms: {sum(1 for x in v if x > 20)}")
g = defaultdict(list)
for t, gen, dur in d["gc"]:
    g[(phase_of(t), gen)].append(dur * 1000)
print("== gc (phase, generation): count, max ms:", {f"{k}": (len(v), round(max(v), 1)) for k, v in sorted(g.items())})
