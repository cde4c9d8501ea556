"""The public example set: each contact gets the grade, route and flags a trained handler would give."""

from __future__ import annotations

from typing import Any

import pytest
from triage_casebook import compare, contact_for, load_cases

from bluelamp.triage.service import assess

CASES = load_cases()


def test_the_public_set_is_large_and_varied() -> None:
    assert len(CASES) >= 80
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert {c["grade"] for c in CASES} == {1, 2, 3, 4}
    routes = {c["route"] for c in CASES}
    assert {"deploy", "appointment", "telephone_resolution", "advice", "update_request"} <= routes
    assert {"refer:report_fraud", "refer:mental_health", "refer:council", "refer:highways"} <= routes


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    got = assess(contact_for(case), history_flags=case.get("history", []))
    ok = compare(case, got)
    assert ok["grade"], f"grade {got.grade} (wanted {case['grade']}); reasons: {got.reasons}"
    assert ok["route"], f"route {got.route} (wanted {case['route']}); reasons: {got.reasons}"
    assert ok["flags"], f"flags {got.flags} (wanted {sorted(case['flags'])}); reasons: {got.reasons}"
    assert ok["referrals"], f"referrals {got.referrals} lack {case.get('referrals')}"
