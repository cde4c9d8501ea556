"""Triage throughput with the learned model in place, against the rules alone in the same run.

Run: taskset -c 1 python benchmarks/bench_triage.py [--n 10000] [--seed 7]
Prints contacts/second and p50/p99 latency of `assess` with the model and rules-only (the baseline,
with the ratio), `screen_text`, the CLI end to end, the model's load time in a fresh process and the
model file's size. Targets (issue #10): at least 1,000 contacts/s on one core with the model, p99
under 20 ms, load under 2 s.

Before and after in the same run: `--baseline-path /tmp/speed-base/src [--rounds 2]` runs the load and
`assess` measurements in fresh processes, the code at that path and this checkout's `src` in turn
(base, new, base, new, ...), and prints each round and the ratios new / base.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

OPENERS = ["", "hi ", "pls help ", "Hello, ", "I need to report that ", "sorry to bother you but ", "help "]
EVENTS = [
    "my partner is hitting me", "hes got a knife", "someone broke into my car overnight", "my bike was stolen",
    "there's a fight outside the pub", "my 9 year old son hasn't come home", "I've been scammed online",
    "any update on my crime reference", "my neighbour is hearing voices", "there's a pothole on the high street",
    "loud music next door every night", "a man exposed himself at the bus stop", "my elderly mum was burgled",
    "two cars crashed and the road is blocked", "my ex keeps turning up at my work", "a dog locked in a hot car",
    "I lost my wallet on the bus", "someone is breaking in right now", "he strangld me", "kids throwing stones",
]
DETAILS = [
    "", " he's gone now", " nobody was hurt", " no weapons", " the kids are upstairs", " he's still here",
    " it happened yesterday", " I think he's drunk", " she's 84", " they ran off about 5 mins ago",
    " I'm really scared", " he said he'd kill me", " the shop has CCTV", " it's the third time this month",
]


def generate(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        narrative = rng.choice(OPENERS) + rng.choice(EVENTS) + "," + rng.choice(DETAILS) + rng.choice(DETAILS)
        if rng.random() < 0.3:
            narrative = narrative.lower().replace(",", "").replace("'", "")
        body: dict[str, Any] = {
            "channel": rng.choice(["999", "101", "chat", "online"]),
            "narrative": narrative,
            "received_at": f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:05Z",
            "location": {"urban": rng.random() < 0.7},
        }
        if rng.random() < 0.3:
            body["answers"] = {rng.choice(["weapon", "injury", "in_progress", "child_present"]): rng.random() < 0.5}
        out.append(body)
    return out


def bench_assess(bodies: list[dict[str, Any]], label: str = "assess") -> dict[str, float]:
    from bluelamp.contact.model import ContactIn
    from bluelamp.triage.service import assess

    contacts = [ContactIn.model_validate(b) for b in bodies]
    assess(contacts[0])  # compile the policy outside the timing
    latencies = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for c in contacts:
        t0 = time.perf_counter()
        assess(c).to_dict()
        latencies.append(time.perf_counter() - t0)
    total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    latencies.sort()
    p50 = statistics.median(latencies) * 1e3
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1e3
    print(f"{label}: {len(contacts)} contacts in {total:.2f} s wall = {len(contacts) / total:,.0f}/s "
          f"({len(contacts) / cpu:,.0f} per CPU-second); p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    return {"per_s": len(contacts) / total, "per_cpu_s": len(contacts) / cpu, "p50_ms": p50, "p99_ms": p99}


def bench_load() -> float:
    """Time from a fresh interpreter to the first assessment with the model loaded (imports included)."""
    code = ("import time; t=time.perf_counter(); from bluelamp.contact.model import ContactIn; "
            "from bluelamp.triage.service import assess; "
            "a=assess(ContactIn.model_validate({'channel':'999','narrative':'he has a knife'})); "
            "print(time.perf_counter()-t, any(r.startswith('text model') for r in a.reasons) or 'model' )")
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        runs.append(float(out[0]))
    from bluelamp.policy import load_policy
    from bluelamp.triage.textmodel import model_path

    path = model_path(load_policy().version)
    print(f"load: first assessment in a fresh process {min(runs):.2f} s (best of 3; imports, policy and model); "
          f"model file {path.stat().st_size / 1e6:.1f} MB")
    return min(runs)


def bench_screen(bodies: list[dict[str, Any]]) -> None:
    from bluelamp.triage.service import screen_text

    latencies = []
    for b in bodies[:2000]:
        t0 = time.perf_counter()
        screen_text(b["narrative"])
        latencies.append(time.perf_counter() - t0)
    latencies.sort()
    print(f"screen_text: p50 {statistics.median(latencies) * 1e3:.3f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1e3:.3f} ms")


def bench_cli(bodies: list[dict[str, Any]]) -> None:
    data = "\n".join(json.dumps(b) for b in bodies) + "\n"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bluelamp", "triage"], input=data, capture_output=True,
                          text=True, check=False)
    total = time.perf_counter() - start
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0 and len(lines) == len(bodies), proc.stderr[-500:]
    print(f"cli: {len(bodies)} JSON lines end to end in {total:.2f} s = {len(bodies) / total:,.0f}/s "
          f"(process start and imports included)")


def measure(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """Load time, then `assess` with the model and with the rules alone, in this process."""
    out: dict[str, Any] = {"load_s": bench_load(), "model": bench_assess(bodies, "assess (rules + model)")}
    from bluelamp.triage.service import disable_text_model

    disable_text_model()
    out["rules"] = bench_assess(bodies, "assess (rules only, baseline)")
    return out


def compare(args: argparse.Namespace) -> None:
    """Base and new in turn, each in fresh processes with its own `PYTHONPATH`; one line per round."""
    paths = {"base": Path(args.baseline_path).resolve(), "new": Path(__file__).resolve().parents[1] / "src"}
    runs: dict[str, list[dict[str, Any]]] = {"base": [], "new": []}
    for round_ in range(1, args.rounds + 1):
        for name, path in paths.items():
            env = {**os.environ, "PYTHONPATH": str(path)}
            proc = subprocess.run([sys.executable, __file__, "--n", str(args.n), "--seed", str(args.seed), "--child"],
                                  env=env, capture_output=True, text=True, check=True)
            got = json.loads(proc.stdout.splitlines()[-1])
            runs[name].append(got)
            m, r = got["model"], got["rules"]
            print(f"round {round_} {name} ({path}): rules + model {m['per_s']:,.0f}/s ({m['per_cpu_s']:,.0f} per "
                  f"CPU-second), p50 {m['p50_ms']:.2f} ms, p99 {m['p99_ms']:.2f} ms; rules alone {r['per_s']:,.0f}/s "
                  f"({r['per_cpu_s']:,.0f} per CPU-second); load {got['load_s']:.2f} s", flush=True)
    for key in ("model", "rules"):
        for unit in ("per_s", "per_cpu_s"):
            ratios = [n[key][unit] / b[key][unit] for b, n in zip(runs["base"], runs["new"], strict=True)]
            print(f"ratio new / base, {'rules + model' if key == 'model' else 'rules alone'} {unit}: "
                  + ", ".join(f"{x:.2f}" for x in ratios) + f" (mean {statistics.mean(ratios):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-path", help="the src folder of the code to compare with, run in turn with this one")
    parser.add_argument("--rounds", type=int, default=2, help="with --baseline-path: base/new pairs to run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_path:
        compare(args)
        return
    bodies = generate(args.n, args.seed)
    if args.child:
        print(json.dumps(measure(bodies)))
        return
    bench_load()
    with_model = bench_assess(bodies, "assess (rules + model)")["per_cpu_s"]
    bench_screen(bodies)
    bench_cli(bodies)
    from bluelamp.triage.service import disable_text_model

    disable_text_model()
    rules = bench_assess(bodies, "assess (rules only, baseline)")["per_cpu_s"]
    print(f"ratio: the model costs {rules / with_model:.2f}x the CPU time of the rules alone")


if __name__ == "__main__":
    main()
