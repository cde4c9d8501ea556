"""Answers decide what they answer (issue #10, session 12).

A "no" to a narrow question (no weapon, no child there) removes that flag but does not quiet the text
model's reading of the rest of the words; a "no" that rules out the danger itself (nobody in danger, not
happening now) or that contradicts what was read in the words (the offender is not there after all) does.
Fresh wordings of our own.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.policy import load_policy
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb

STREET_ASSAULT = "two lads are laying into a man outside the kebab shop, he's on the floor"
TILL_THEFT = "a man has just nicked two bottles of vodka from the shop and he's sat on the wall outside drinking one"


def _assess(text: str, channel: str, answers: dict[str, bool] | None = None):  # type: ignore[no-untyped-def]
    body: dict[str, object] = {"channel": channel, "narrative": text, "received_at": "2026-03-01T21:14:05Z"}
    if answers:
        body["answers"] = answers
    return assess(ContactIn.model_validate(body))


@pytest.mark.parametrize("answers", [{"weapon": False}, {"child_present": False}, {"weapon": False, "child_present": False}])
def test_a_narrow_no_leaves_an_assault_going_on_now_an_emergency(answers: dict[str, bool]) -> None:
    got = _assess(STREET_ASSAULT, "999", answers)
    assert got.grade == 1 and got.route == "deploy"
    if "weapon" in answers:
        assert "weapon" not in got.flags


@pytest.mark.parametrize("answers", [{"in_progress": False}, {"threat_to_life": False}])
def test_a_no_that_rules_out_the_danger_quiets_the_model(answers: dict[str, bool]) -> None:
    assert _assess(STREET_ASSAULT, "999").grade == 1
    got = _assess(STREET_ASSAULT, "999", answers)
    assert got.grade == 2  # the rules still see violence with the offender there: someone is sent


def test_a_no_that_contradicts_what_was_read_quiets_the_model() -> None:
    before = _assess(TILL_THEFT, "101")
    assert "suspect_present" in before.flags and before.grade == 2
    got = _assess(TILL_THEFT, "101", {"suspect_present": False})
    assert "suspect_present" not in got.flags and got.grade >= 3
    # a "no" about something nobody read changes nothing
    assert _assess(TILL_THEFT, "101", {"weapon": False}).grade == 2


def test_the_questions_that_quiet_the_model_are_policy_data() -> None:
    grading = load_policy().doc("grading")
    assert grading.model_gives_way_to == ["threat_to_life", "in_progress"]
    assert set(grading.model_gives_way_to) <= set(grading.answers)
