#!/usr/bin/env python3
"""Score the shipped text model and a candidate on the same corpora, and pool them: the adoption look.

    python scripts/triage_compare_models.py CANDIDATE_DIR/text-2026.1.npz data/triage/heldout data/triage/heldout_f

Each model is scored by `bluelamp.triage.evaluate` in a process of its own (the engine caches its model),
with the rules as they stand. Prints one JSON object: the per-corpus figures of each model and the pooled
grade-1 recall and urgent-proposed-4 count the adoption rule in docs/triage.md is written on. Every run of
this on a held-out part is a look at it: record it in docs/triage.md.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def score(corpus: str, model: str | None) -> dict:
    cmd = [sys.executable, "-m", "bluelamp.triage.evaluate", corpus] + (["--model", model] if model else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def pooled(reports: list[dict]) -> dict:
    overall = [r["overall"] for r in reports]
    g1 = sum(o["grade1"] for o in overall)
    hits = sum(round(o["grade1_recall"] * o["grade1"]) for o in overall if o["grade1"])
    return {"grade1": g1, "grade1_hit": hits, "grade1_recall": round(hits / g1, 4) if g1 else None,
            "urgent_proposed_4": sum(o["urgent_proposed_4"] for o in overall),
            "contacts": sum(o["contacts"] for o in overall),
            "grade_acceptable": round(sum(o["grade_acceptable"] * o["contacts"] for o in overall)
                                      / sum(o["contacts"] for o in overall), 4)}


def main(argv: list[str]) -> int:
    if len(argv) < 2 or not Path(argv[0]).is_file():
        sys.exit(__doc__)
    candidate, corpora = argv[0], argv[1:]
    missing = [c for c in corpora if not Path(c).exists()]
    if missing:
        sys.exit(f"no corpus at {', '.join(missing)}")
    result: dict = {}
    for name, model in (("shipped", None), ("candidate", candidate)):
        reports = [score(c, model) for c in corpora]
        result[name] = {"by_corpus": {c: {"overall": r["overall"], "by_channel": r["by_channel"]}
                                      for c, r in zip(corpora, reports, strict=True)},
                        "pooled": pooled(reports)}
    s, c = result["shipped"]["pooled"], result["candidate"]["pooled"]
    result["adopt"] = (c["grade1_recall"] >= s["grade1_recall"]
                       and c["urgent_proposed_4"] <= s["urgent_proposed_4"])
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
