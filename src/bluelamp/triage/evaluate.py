"""Score triage on a labelled corpus: `python -m bluelamp.triage.evaluate data/triage/heldout`.

The measures of issue #10, overall, per category and per channel: grade-1 recall, grade 1-2 contacts
proposed grade 4 (nobody sent), grade within the acceptable grades, flag recall (flags that must be
raised, raised), route agreement, and over-grading (grade 3-4 contacts proposed grade 1-2).
`--rules-only` scores the rules without the learned model, for comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from bluelamp.contact.model import ContactIn
from bluelamp.policy import load_policy
from bluelamp.triage.model import Assessment

RECEIVED = "2026-03-01T21:14:05Z"


def contact_for(row: dict[str, Any]) -> ContactIn:
    body: dict[str, Any] = {"channel": str(row["channel"]), "narrative": row["narrative"],
                            "received_at": row.get("received_at", RECEIVED)}
    if row.get("answers"):
        body["answers"] = row["answers"]
    if "urban" in row:
        body["location"] = {"urban": row["urban"]}
    return ContactIn.model_validate(body)


class Tally:
    def __init__(self) -> None:
        self.n = 0
        self.g1 = self.g1_hit = 0
        self.urgent = self.urgent_to_4 = 0
        self.grade_ok = 0
        self.flags_due = self.flags_hit = 0
        self.route_ok = 0
        self.low = self.low_over = 0
        self.provisional = 0

    def add(self, row: dict[str, Any], got: Assessment) -> None:
        self.n += 1
        grade = int(row["grade"])
        acceptable = {int(g) for g in row.get("acceptable_grades", [grade])} | {grade}
        if grade == 1:
            self.g1 += 1
            self.g1_hit += got.grade == 1
        if grade <= 2:
            self.urgent += 1
            self.urgent_to_4 += got.grade == 4
        else:
            self.low += 1
            self.low_over += got.grade <= 2
        self.grade_ok += got.grade in acceptable
        due = set(row.get("flags", [])) - {"repeat_victim", "repeat_caller"}
        self.flags_due += len(due)
        self.flags_hit += len(due & set(got.flags))
        self.route_ok += got.route == row["route"]
        self.provisional += got.provisional

    def as_dict(self) -> dict[str, Any]:
        def share(a: int, b: int) -> float | None:
            return round(a / b, 3) if b else None

        return {"contacts": self.n, "grade1_recall": share(self.g1_hit, self.g1), "grade1": self.g1,
                "urgent_proposed_4": self.urgent_to_4, "grade_acceptable": share(self.grade_ok, self.n),
                "flag_recall": share(self.flags_hit, self.flags_due), "route_agreement": share(self.route_ok, self.n),
                "over_graded": share(self.low_over, self.low), "provisional": self.provisional}


def evaluate(rows: list[dict[str, Any]], *, rules_only: bool = False) -> dict[str, Any]:
    from bluelamp.triage import service

    if rules_only:
        service.disable_text_model()
    total = Tally()
    by_category: defaultdict[str, Tally] = defaultdict(Tally)
    by_channel: defaultdict[str, Tally] = defaultdict(Tally)
    misses: list[dict[str, Any]] = []
    for row in rows:
        got = service.assess(contact_for(row))
        for t in (total, by_category[row.get("category", "other")], by_channel[str(row["channel"])]):
            t.add(row, got)
        acceptable = set(row.get("acceptable_grades", [row["grade"]])) | {row["grade"]}
        if got.grade not in acceptable or got.route != row["route"] or not set(row.get("flags", [])) <= set(got.flags):
            misses.append({"id": row.get("id"), "want": [row["grade"], row["route"], sorted(row.get("flags", []))],
                           "got": [got.grade, got.route, got.flags], "narrative": row["narrative"][:160]})
    return {"overall": total.as_dict(),
            "by_category": {k: v.as_dict() for k, v in sorted(by_category.items())},
            "by_channel": {k: v.as_dict() for k, v in sorted(by_channel.items())},
            "misses": misses}


def main(argv: list[str] | None = None) -> int:
    from bluelamp.triage.train import read_jsonl

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rules-only", action="store_true")
    parser.add_argument("--misses", action="store_true", help="also list every contact not fully right")
    parser.add_argument("--model", type=Path, default=None,
                        help="score a model file other than the shipped one (a candidate from train --out)")
    args = parser.parse_args(argv)
    if args.model is not None:
        from bluelamp.triage import service, textmodel

        if not args.model.exists():
            parser.error(f"no model file at {args.model}")
        textmodel.MODELS_DIR = args.model.parent  # model_path() reads it: the candidate stands in
        service._engine.cache_clear()
        textmodel._cached.cache_clear()
        if args.model.name != textmodel.model_path(load_policy().version).name:
            parser.error("a candidate model file must be named text-<policy version>.npz")
    rows = read_jsonl(args.corpus) if args.corpus.is_dir() else [
        json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    report = evaluate(rows, rules_only=args.rules_only)
    if not args.misses:
        report.pop("misses")
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
