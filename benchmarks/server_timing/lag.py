# ruff: noqa  (a measuring script of session 7, kept as it was run)
import json, sys
d = json.load(open(sys.argv[1]))
recs = d["recs"]
begin = min(r["t0"] for r in recs if r.get("kind","").startswith("msg"))
T0 = min(r["t0"] for r in recs)
big = [(round(t-begin,2), round(l*1000)) for t, l in d["lag"] if l > 0.05]
print("loop lags > 50 ms (s after begin, ms):", big)
g = d.get("gc", [])
print("gc collections by generation:", {gen: sum(1 for x in g if x[1]==gen) for gen in (0,1,2)})
print("gen2 (s after begin, ms, objects walked, frozen):", [(round(x[0]-begin,2), round(x[2]*1000), *x[4:6]) for x in g if x[1] == 2])
print("gen0/1 > 20 ms:", [(round(t-begin,2), gen, round(dur*1000)) for t, gen, dur, c, *_ in g if gen < 2 and dur > 0.02][:30])
import statistics
for gen in (0,1):
    v = [x[2] for x in g if x[1]==gen]
    if v: print(f"gen{gen} mean {statistics.mean(v)*1000:.2f} ms max {max(v)*1000:.1f}")
