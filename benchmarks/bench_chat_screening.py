"""Screening latency per chat message: triage.screen_text with the flags raised so far.

    python benchmarks/bench_chat_screening.py --messages 20000
"""

from __future__ import annotations

import argparse
import json
import random
import time

from bluelamp.policy import load_policy
from bluelamp.triage.service import screen_text

MESSAGES = [
    "Hello, I'd like to ask about lost property",
    "Someone damaged my car wing mirror overnight",
    "my ex keeps texting me and turning up at my work",
    "he has a knife and is threatening to kill me right now",
    "I am going to kill myself tonight, I have the tablets here",
    "my elderly mum has dementia and has gone missing from her care home",
    "There's a man shouting racist abuse at people outside the shop",
    "Is there any update on my burglary? The reference was 12345",
    "My 14 year old has not come home and isn't answering her phone, she's been talking to an older man online",
    "Just to add, I can see the car parked outside again, same one as last week, and he was sat in it watching",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20000)
    args = parser.parse_args()
    policy = load_policy()
    screen_text("warm up", policy=policy)
    rng = random.Random(1)
    timings = []
    cpu = []
    flags: list[str] = []
    for n in range(args.messages):
        if n % 8 == 0:
            flags = []  # a new conversation
        msg = rng.choice(MESSAGES)
        t0, c0 = time.perf_counter(), time.thread_time()
        result = screen_text(msg, prior_flags=flags, policy=policy)
        timings.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        flags = list(dict.fromkeys(flags + result.flags))
    timings.sort()
    cpu.sort()

    def p(values: list[float], q: float) -> float:
        return round(values[min(len(values) - 1, int(q / 100 * (len(values) - 1)))] * 1000, 3)

    # Wall clock includes waiting for a CPU on a shared machine; thread CPU time is the work itself.
    print(json.dumps({"messages": args.messages,
                      "wall_ms": {"p50": p(timings, 50), "p95": p(timings, 95), "p99": p(timings, 99),
                                  "max": p(timings, 100)},
                      "cpu_ms": {"p50": p(cpu, 50), "p99": p(cpu, 99), "max": p(cpu, 100)},
                      "target_p99_ms": 5}, indent=2))


if __name__ == "__main__":
    main()
