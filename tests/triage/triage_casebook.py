"""The public example set (cases.yaml) and a scorer shared by the tests, the docs and the benchmark."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bluelamp.contact.model import ContactIn
from bluelamp.triage.model import Assessment

CASES_FILE = Path(__file__).with_name("cases.yaml")
DEFAULT_RECEIVED = "2026-03-01T21:14:05Z"


def load_cases() -> list[dict[str, Any]]:
    return list(yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"])


def contact_for(case: dict[str, Any]) -> ContactIn:
    body: dict[str, Any] = {
        "channel": str(case.get("channel", "999")),
        "narrative": case["narrative"],
        "received_at": case.get("received_at", DEFAULT_RECEIVED),
    }
    if "urban" in case:
        body["location"] = {"urban": case["urban"]}
    if "answers" in case:
        body["answers"] = case["answers"]
    return ContactIn.model_validate(body)


@dataclass
class Score:
    cases: int
    grade: float
    route: float
    flags_exact: float
    referrals_included: float
    all_fields: float
    misses: list[str]


def compare(case: dict[str, Any], got: Assessment) -> dict[str, bool]:
    return {
        "grade": got.grade == case["grade"],
        "route": got.route == case["route"],
        "flags": set(got.flags) == set(case["flags"]),
        "referrals": set(case.get("referrals", [])) <= set(got.referrals),
    }


def score(results: Iterable[tuple[dict[str, Any], Assessment]]) -> Score:
    rows = [(case, got, compare(case, got)) for case, got in results]
    n = len(rows)

    def share(key: str) -> float:
        return sum(r[2][key] for r in rows) / n

    misses = [f"{c['id']}: grade {g.grade} route {g.route} flags {g.flags}"
              for c, g, ok in rows if not all(ok.values())]
    return Score(n, share("grade"), share("route"), share("flags"), share("referrals"),
                 sum(all(r[2].values()) for r in rows) / n, misses)
