"""Where the offender is (issue #10, session 13). Fresh wordings of our own: the caller's car "parked outside
the house" is not someone waiting there, and "he's back at his mum's in Hull" is not "he's back"."""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(text: str, channel: str = "101"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": text, "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize("text", [
    "someone let my tyres down in the night, it was parked outside my house, I need a reference for the garage",
    "my ex shoved me on Friday when he picked up the kids, I'm fine, he's back at his mum's in Hull now",
])
def test_the_offender_is_not_read_as_here(text: str) -> None:
    got = _assess(text)
    assert "suspect_present" not in got.flags, got.reasons
    assert got.grade >= 3, got.reasons


@pytest.mark.parametrize("text", [
    "a man has been parked outside my house for two hours watching my window, he's there now",
    "he's back, he's banging on the door again",
])
def test_someone_waiting_outside_or_back_is_still_here(text: str) -> None:
    got = _assess(text, "999")
    assert "suspect_present" in got.flags, got.reasons
    assert got.grade <= 2


@pytest.mark.parametrize("text,channel", [
    ("nothing's wrong, please don't send anyone", "999"),
    ("no I'm fine, honestly, he's not hitting me, it's fine", "999"),
])
def test_a_denial_with_violence_now_is_still_an_emergency(text: str, channel: str) -> None:
    assert _assess(text, channel).grade == 1


def test_im_fine_after_violence_days_past_is_not_a_coded_denial() -> None:
    got = _assess("a bloke head-butted me outside the kebab shop on Saturday night, I'm fine now, I just want it recorded")
    assert got.grade >= 3, got.reasons
