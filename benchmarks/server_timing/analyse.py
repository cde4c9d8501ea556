# ruff: noqa  (a measuring script of session 7, kept as it was run)
import json, sys, statistics
d = json.load(open(sys.argv[1]))
recs = [r for r in d["recs"] if "t6" in r and "t4" in r]
def pct(v, p):
    v = sorted(v); return v[min(len(v)-1, int(round(p/100*(len(v)-1))))] if v else float('nan')
T0 = min(r["t0"] for r in recs)
begin = min(r["t0"] for r in recs if r.get("kind","").startswith("msg"))
print("records", len(recs), "first msg at +%.1f s" % (begin - T0))
def show(name, rs):
    if not rs: return
    parts = {
        "queue(t1-t0)": [r["t1"]-r["t0"] for r in rs],
        "uow->first sql": [(r["first_sql"] or r["t2"])-r["t2"] for r in rs],
        "body(t3-t2)": [r["t3"]-r["t2"] for r in rs],
        "db time": [r["db"] for r in rs],
        "body CPU(c3-c2)": [r["c3"]-r["c2"] for r in rs if "c3" in r],
        "commit(t4-t3)": [r["t4"]-r["t3"] for r in rs],
        "commit CPU": [r["c4"]-r["c3"] for r in rs if "c4" in r],
        "->deliver": [r["t_deliver"]-r["t4"] for r in rs if "t_deliver" in r],
        "publish(t5-t4)": [r["t5"]-r["t4"] for r in rs],
        "back(t6-t5)": [r["t6"]-r["t5"] for r in rs],
        "echo(tdel-t0)": [r["t_deliver"]-r["t0"] for r in rs if "t_deliver" in r],
        "total(t6-t0)": [r["t6"]-r["t0"] for r in rs],
    }
    print(f"== {name}: n={len(rs)} stmts mean {statistics.mean(r['n'] for r in rs):.2f}, busy tokens at submit p50 {pct([r['busy'] for r in rs],50)} p99 {pct([r['busy'] for r in rs],99)}")
    for k, v in parts.items():
        if not v: continue
        print(f"  {k:16s} p50 {pct(v,50)*1000:7.1f}  p90 {pct(v,90)*1000:7.1f}  p99 {pct(v,99)*1000:7.1f}  max {max(v)*1000:7.1f} ms")
kinds = sorted({r.get("kind") for r in recs})
for k in kinds:
    show(k, [r for r in recs if r.get("kind") == k])
show("other during messages", [r for r in recs if r.get("kind") == "other" and r["t0"] >= begin])
lag = [l for t, l in d["lag"] if t >= begin]
print("loop lag during messages: p50 %.1f p99 %.1f max %.1f ms" % (pct(lag,50)*1000, pct(lag,99)*1000, max(lag)*1000))
# slow echoes: when
slow = sorted([r for r in recs if r.get("kind","").startswith("msg") and "t_deliver" in r], key=lambda r: r["t_deliver"]-r["t0"])[-40:]
print("slowest 40 echoes at seconds after begin:", sorted(round(r["t0"]-begin,1) for r in slow))
# per second histogram of others
import collections
c = collections.Counter(int(r["t0"]-begin) for r in recs if r.get("kind")=="other" and r["t0"]>=begin)
print("other ops per second after begin:", [c.get(i,0) for i in range(0,70)])
