"""Dangers callers describe without naming them (issue #10), and the look-alikes that must stay calm."""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(narrative: str, channel: str):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": narrative,
                                            "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize(("channel", "text"), [
    ("chat", "cant do this no more, im on the bridge by the canal, sry"),
    ("chat", "i've got the car running in the garage with the door shut. i just wanted someone to know"),
    ("online", "by the time anyone reads this it will be over, I'm at the multi-storey car park"),
    ("999", "I've lost one of the kids at the soft play, she's 3, the fire exit was open"),
    ("101", "my toddler has gone missing from the garden, the gate was open"),
])
def test_a_described_emergency_is_grade_1(channel: str, text: str) -> None:
    assert _assess(text, channel).grade == 1


@pytest.mark.parametrize(("channel", "text"), [
    ("chat", "I can't do this job any more, my boss is awful, can I report him for bullying"),
    ("101", "my son has been suicidal for years, we live by the canal, I want to know what support there is"),
])
def test_look_alikes_are_not_emergencies(channel: str, text: str) -> None:
    assert _assess(text, channel).grade >= 3


def test_a_missing_school_age_child_stays_a_priority() -> None:
    # public case missing_child: a 9-year-old not home from school is grade 2, a toddler grade 1
    got = _assess("my 9 year old son hasn't come home from school, it's been 3 hours", "999")
    assert got.grade == 2


def test_an_urgent_flag_the_model_reads_is_never_left_at_grade_4() -> None:
    # issue #10: an urgent flag shown to the handler means at least grade 2 until the answers settle it
    text = "a man's just stolen a load of medicines from behind our counter and he's waiting at the bus stop outside"
    got = _assess(text, "101")
    assert "suspect_present" in got.flags
    assert got.grade == 2 and got.provisional
    answered = assess(ContactIn.model_validate({"channel": "101", "narrative": text, "received_at": "2026-03-01T21:14:05Z",
                                                "answers": {"suspect_present": False}}))
    assert "suspect_present" not in answered.flags
    assert answered.grade >= 3


def test_a_phone_taken_off_someone_is_not_a_missing_person() -> None:
    assert "missing_person" not in _assess("someone has just had my phone off me at the bus stop", "101").flags
    assert "missing_person" in _assess("my daughter hasn't come home and her phone is off", "101").flags
