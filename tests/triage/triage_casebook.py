"""The public example set (cases.yaml) and the comparison of one assessment with its case."""

from __future__ import annotations

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


def model_added(got: Assessment) -> set[str]:
    """Flags the learned model added, each with its own visible reason ("text model reads ...")."""
    from bluelamp.policy import load_policy

    labels = {f.id: f.label.lower() for f in load_policy().flags.flags}
    return {f for f in got.flags if any(r.startswith(f"text model reads {labels.get(f, f)} (") for r in got.reasons)}


def compare(case: dict[str, Any], got: Assessment) -> dict[str, bool]:
    """Grade and route exactly; every listed flag raised, and nothing more from the rules. A flag the
    learned model adds on its own reading is allowed (it says so in the reasons); the rules' flags,
    negation included, must be exactly the case's."""
    wanted = set(case["flags"])
    extra = set(got.flags) - wanted
    return {
        "grade": got.grade == case["grade"],
        "route": got.route == case["route"],
        "flags": wanted <= set(got.flags) and extra <= model_added(got),
        "referrals": set(case.get("referrals", [])) <= set(got.referrals),
    }

