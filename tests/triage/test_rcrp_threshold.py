"""Issue 13, defect 10: the Right Care, Right Person threshold (National Partnership Agreement, July 2023).

Police respond to a mental-health-related or welfare call only to investigate a crime, or where there is
a real and immediate risk to life or of serious harm, "immediate" meaning present and ongoing. A calm
caller's past mention of suicide is not immediate risk; a welfare check takes the same test.

These tests were written first, against the engine of issue 13, and failed there; the triage rewrite
(issue 10: `past_only`, `settled_now` and `immediate_suicide_risk` in grading.yaml) makes them pass.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

RECEIVED = datetime(2026, 3, 1, 21, 14, 5, tzinfo=UTC)


def contact(narrative: str, channel: str = "101", **extra: Any) -> ContactIn:
    body: dict[str, Any] = {"channel": channel, "narrative": narrative, "received_at": RECEIVED.isoformat()}
    body.update(extra)
    return ContactIn.model_validate(body)


def _rcrp(reasons: list[str]) -> list[str]:
    return [r for r in reasons if "Right Care, Right Person" in r]


@pytest.mark.parametrize("text", [
    "my brother is calm, he mentioned last year that he had thought about suicide, I'd like someone to check on him",
    "she is fine at the moment but a few months ago she said she wanted to end her life",
])
def test_a_calm_callers_past_mention_of_suicide_is_not_an_immediate_risk(text):
    got = assess(contact(text))
    assert got.route != "deploy" and got.grade >= 3
    assert _rcrp(got.reasons), "the threshold decision must be recorded"


@pytest.mark.parametrize("text", [
    "can you do a welfare check on my neighbour, he hasn't been seen today, no reason to think he is in danger",
    "could you do a welfare check on my dad, he is elderly and lives alone, he's probably fine, just not answering",
])
def test_a_welfare_check_takes_the_rcrp_test(text):
    got = assess(contact(text))
    assert _rcrp(got.reasons), "a welfare check must record the Right Care, Right Person decision"
    assert got.route != "deploy"


def test_a_present_and_ongoing_risk_to_life_still_sends_police():
    got = assess(contact("he is on the bridge right now saying he will jump", channel="999"))
    assert got.route == "deploy" and got.grade == 1
