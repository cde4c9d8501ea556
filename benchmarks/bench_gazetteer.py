"""Gazetteer matching: latency over 100,000 entries and accuracy on misspelt and partial locations.

The index holds the demo force's gazetteer plus synthetic streets and places (made-up names built
from common English street words and place-name parts, spread over the county) up to `--entries`.
Latency: every query of the two query sets, misspelt variants of them, repeated to `--queries`.
Accuracy: top-1 and top-5 on the development set (the matcher was tuned on it) and on the held-out
set (written after tuning), against the demo gazetteer alone and inside the 100,000 entries.

    python benchmarks/bench_gazetteer.py --entries 100000 --queries 3000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bluelamp.location.gazetteer import Entry, Index, demo_entries  # noqa: E402
from gazetteer_queries import HELD_OUT, QUERIES, is_hit  # noqa: E402

STEMS = ("Ash", "Birch", "Bridge", "Brook", "Church", "Cross", "Elm", "Field", "Fox", "Green", "Hall", "Hill",
         "Holly", "Kings", "Lark", "Lime", "Marsh", "Meadow", "Mill", "Moss", "Oak", "Orchard", "Park", "Pine",
         "Pool", "Priory", "Queens", "Rose", "School", "Spring", "Stone", "Thorn", "Well", "Willow", "Wood", "Yew",
         "Abbey", "Beacon", "Castle", "Chapel", "Dale", "Forge", "Grange", "Heath", "Lodge", "Manor", "Ridge")
SUFFIXES = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Grove", "Way", "Crescent", "Place", "Walk",
            "Gardens", "Rise", "View", "Court", "Terrace", "Mews", "Row", "Square", "Hill")
PLACE_A = ("Ash", "Barn", "Brad", "Chel", "Dun", "Ever", "Fair", "Gold", "Hat", "Kings", "Lang", "Mar", "Nor",
           "Over", "Pens", "Red", "Shel", "Thorn", "Up", "Wal", "Whit", "Wood", "Alder", "Bramp", "Cotes")
PLACE_B = ("ley", "ton", "field", "ford", "well", "bury", "wick", "worth", "cote", "hurst", "stone", "by", "ham",
           "den", "ridge", "wood", "moor", "dale")


def synthetic(n: int, seed: int = 15) -> list[Entry]:
    rnd = random.Random(seed)
    places = sorted({a + b for a in PLACE_A for b in PLACE_B})
    out = []
    for i in range(n):
        place = places[i % len(places)]
        lat, lon = 52.45 + rnd.random() * 0.75, -2.35 + rnd.random() * 0.75
        name = f"{rnd.choice(STEMS)} {rnd.choice(SUFFIXES)}" if rnd.random() < 0.8 else \
            f"{rnd.choice(STEMS)}{rnd.choice(('', ' '))}{rnd.choice(('field', 'side', 'bank', 'gate'))} {rnd.choice(SUFFIXES)}"
        out.append(Entry(f"bench:{i}", "street", name, place, None, lat, lon))
    return out


def misspell(text: str, rnd: random.Random) -> str:
    chars = list(text)
    for _ in range(rnd.randint(1, 2)):
        i = rnd.randrange(len(chars))
        op = rnd.random()
        if op < 0.4 and len(chars) > 3:
            del chars[i]
        elif op < 0.7 and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars.insert(i, rnd.choice("aeiourst"))
    return "".join(chars)


def accuracy(index: Index, queries: list[tuple[str, str, str | None]]) -> tuple[int, int]:
    top1 = top5 = 0
    for q, name, locality in queries:
        hits = [is_hit(m.entry, name, locality) for m in index.match(q, limit=5)]
        top1 += bool(hits and hits[0])
        top5 += any(hits)
    return top1, top5


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=3000)
    args = ap.parse_args()
    demo = demo_entries()
    small = Index(demo)
    t0 = time.perf_counter()
    big = Index(demo + synthetic(args.entries - len(demo)))
    build = time.perf_counter() - t0
    print(f"index: {len(big):,} entries, {len(big.vocabulary):,} distinct words, built in {build:.2f} s")
    for label, index in (("demo gazetteer", small), (f"{len(big):,} entries", big)):
        for name, qs in (("development", QUERIES), ("held-out", HELD_OUT)):
            t1, t5 = accuracy(index, qs)
            print(f"accuracy, {label}, {name} set ({len(qs)}): top-1 {t1}/{len(qs)} ({100 * t1 / len(qs):.0f}%), "
                  f"top-5 {t5}/{len(qs)} ({100 * t5 / len(qs):.0f}%)")
    rnd = random.Random(7)
    texts = [q for q, _, _ in QUERIES + HELD_OUT]
    pool = texts + [misspell(t, rnd) for t in texts] + [f"{rnd.randint(1, 200)} {misspell(t, rnd)}" for t in texts]
    times, cpu = [], []
    for i in range(args.queries):
        q = pool[i % len(pool)]
        t, c = time.perf_counter(), time.process_time()
        big.match(q, limit=5)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    times.sort()
    pct = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1000  # noqa: E731
    print(f"match latency over {len(big):,} entries, {len(times)} queries: p50 {pct(0.5):.2f} ms, "
          f"p95 {pct(0.95):.2f} ms, p99 {pct(0.99):.2f} ms, max {times[-1] * 1000:.2f} ms")
    cpu.sort()
    print(f"CPU time per match: p50 {cpu[len(cpu) // 2] * 1000:.2f} ms, p99 {cpu[int(0.99 * len(cpu))] * 1000:.2f} ms; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
