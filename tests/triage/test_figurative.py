"""Figures of speech name no danger ("the noise is killing me"), but a person doing it still does."""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(narrative: str, channel: str = "101"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": narrative,
                                            "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize("text", [
    "the noise from the gym downstairs is killing me, weights dropping at 6am every day",
    "this queue is killing me, I've been on hold for 40 minutes about my stolen bike",
    "my neck's killing me since the shunt, the other driver's fine, we swapped details",
    "dog next door barks from 6am, it's literally killing me, I'm on nights",
    "dying to know if I can get fined for cycling on the pavement",
])
def test_a_figure_of_speech_is_no_danger_to_life(text: str) -> None:
    got = _assess(text)
    assert "threat_to_life" not in got.flags
    assert got.grade >= 3


@pytest.mark.parametrize("text", [
    "he is killing me, he's got his hands round my throat",
    "the noise upstairs and he is killing me, please come",
    "my boyfriend's killing me, he won't stop hitting me",
])
def test_a_person_killing_someone_is_still_an_emergency(text: str) -> None:
    got = _assess(text)
    assert "threat_to_life" in got.flags
    assert got.grade == 1


def test_what_the_figure_was_about_is_still_read() -> None:
    # the subject is kept: "the noise from the gym" still reads as a noise complaint for the council
    got = _assess("the noise from the new gym downstairs is killing me, weights dropping at 6am every day")
    assert got.route == "refer:council"
