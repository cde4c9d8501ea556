"""Figures of speech are not a danger to life (issue #10, session 13). Fresh wordings of our own."""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(text: str, channel: str = "101"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": text, "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize("text", [
    "the dog next door barking all day is absolute murder, it's been months, who do I complain to",
    "the drilling from the flat upstairs is killing me, every morning at 7, is that allowed",
    "I'm going to murder my flatmate, he keeps eating my food, what can I do about it",
])
def test_a_figure_of_speech_is_not_a_danger_to_life(text: str) -> None:
    got = _assess(text)
    assert "threat_to_life" not in got.flags, got.reasons
    assert got.grade >= 3, got.reasons


@pytest.mark.parametrize("text", [
    "he's killing me, he's got his hands round my neck",
    "my husband is going to kill me, he's locked the door and he's got a hammer",
    "he said he's going to murder me tonight, he's outside",
])
def test_a_real_threat_said_in_the_same_words_is_still_an_emergency(text: str) -> None:
    got = _assess(text, "999")
    assert got.grade == 1, got.reasons
