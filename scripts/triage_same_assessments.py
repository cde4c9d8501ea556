"""Prove two versions of the triage engine give the same assessments: zero differences allowed.

Run: python scripts/triage_same_assessments.py --base /tmp/speed-base/src [--new src]

Each version runs in a process of its own (`PYTHONPATH` pointing at its `src`), over every row of
data/triage/train/*.jsonl and tests/triage/cases.yaml (never the held-out folders), and writes for each
row: the whole Assessment (`to_dict()`: grade, route, flags, attend-by, THRIVE, referrals, reasons,
provisional, questions), the rules-only assessment, the text model's probabilities for every head,
`screen_text`'s answer, and every mention the rules found (fact, words, reason, negated) with the facts. This script then compares them field by field; probabilities to 1e-9, the rest
exactly. Exit 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-9


def _rows() -> list[dict[str, Any]]:
    """Training rows, then the public cases (channel 999 and no answers unless given, as the tests do)."""
    import yaml

    rows = []
    for path in sorted((ROOT / "data/triage/train").glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if line.strip():
                rows.append({"where": f"{path.name}:{n + 1}", **json.loads(line)})
    cases = yaml.safe_load((ROOT / "tests/triage/cases.yaml").read_text(encoding="utf-8"))["cases"]
    for case in cases:
        rows.append({"where": f"cases.yaml:{case['id']}", "channel": "999", **case})
    return rows


def dump(out: Path) -> None:
    """In the child process: assess every row with whatever bluelamp is on the path."""
    from bluelamp.policy import load_policy
    from bluelamp.triage import service
    from bluelamp.triage.evaluate import contact_for  # both versions have it: the contact the tests build

    rows = _rows()
    contacts = [contact_for(r) for r in rows]
    engine = service._engine(load_policy())
    results: list[dict[str, Any]] = []
    for row, contact in zip(rows, contacts, strict=True):
        history = row.get("history", []) if row["where"].startswith("cases.yaml") else []
        got = service.assess(contact, history_flags=history).to_dict()
        probs = {}
        if engine.reader is not None:
            text = engine.lexicon.normalise(contact.narrative)
            probs = {name: [float(p) for p in ps] for name, (_, ps) in
                     engine.reader.probabilities(text, contact.channel).items()}
        screened = service.screen_text(contact.narrative).to_dict()
        findings = engine.lexicon.analyse(contact.narrative)
        read = {"facts": sorted(findings.facts),
                "mentions": [[m.fact, m.text, m.reason, m.negated] for m in findings.mentions]}
        results.append({"where": row["where"], "assessment": got, "probabilities": probs, "screen": screened,
                        "findings": read})
    service.disable_text_model()
    for result, contact in zip(results, contacts, strict=True):
        result["rules_only"] = service.assess(contact).to_dict()
    out.write_text(json.dumps(results), encoding="utf-8")


def _run(src: Path, out: Path) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    subprocess.run([sys.executable, __file__, "--dump", str(out)], env=env, check=True)
    return list(json.loads(out.read_text(encoding="utf-8")))


def differences(base: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    """Every field that differs, as 'row: field: base != new'."""
    if len(base) != len(new):
        return [f"row counts differ: {len(base)} != {len(new)}"]
    out = []
    for b, n in zip(base, new, strict=True):
        for part in ("assessment", "rules_only", "screen", "findings"):
            for key in sorted(set(b[part]) | set(n[part])):
                if b[part].get(key) != n[part].get(key):
                    out.append(f"{b['where']}: {part}.{key}: {b[part].get(key)!r} != {n[part].get(key)!r}")
        if set(b["probabilities"]) != set(n["probabilities"]):
            out.append(f"{b['where']}: probability heads differ")
            continue
        for head, ps in b["probabilities"].items():
            qs = n["probabilities"][head]
            if len(ps) != len(qs) or any(abs(p - q) > TOLERANCE for p, q in zip(ps, qs, strict=True)):
                out.append(f"{b['where']}: probabilities.{head}: {ps} != {qs}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, help="the src folder of the code before")
    parser.add_argument("--new", type=Path, default=ROOT / "src", help="the src folder of the code after")
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump is not None:
        dump(args.dump)
        return 0
    if args.base is None:
        parser.error("--base is required")
    with tempfile.TemporaryDirectory() as tmp:
        base = _run(args.base, Path(tmp) / "base.json")
        new = _run(args.new, Path(tmp) / "new.json")
    diffs = differences(base, new)
    largest = max((abs(p - q) for b, n in zip(base, new, strict=True) for h, ps in b["probabilities"].items()
                   for p, q in zip(ps, n["probabilities"].get(h, []), strict=False)), default=0.0)
    print(f"{len(base)} rows compared (assessment with the model, rules only, screen_text, mentions, "
          "probabilities): "
          f"{len(diffs)} differences; largest probability difference {largest:.3g}")
    for line in diffs[:20]:
        print("  " + line)
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
