"""Dangers described, not named, that the rules now read (issue #10, session 7), and their look-alikes.

Fresh examples of each kind the session-7 indicators cover (none is a training or held-out line): a fight
described as "scrapping", a suspicious item with wires, smoke filling a tunnel, a hazard in a live lane that
traffic is braking round, a theft being done now, a break-in just found, a thief who took something and ran,
a fire set deliberately, a coded call ordering a named pizza, a stolen vehicle tracked now. And what must not
read as danger: a note left on a windscreen with a phone number, "they're doing it now" about a fence.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(narrative: str, channel: str = "999"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": narrative,
                                            "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize(("channel", "text"), [
    ("999", "two blokes are scrapping outside the kebab shop and one of them's bleeding from his head"),
    ("999", "there's a holdall left under the seats at the bus station with wires coming out of the zip"),
    ("101", "smoke is pouring into the stairwell of our block and the lift's stopped"),
    ("999", "can I order a pepperoni please, 12 Acre Road, as fast as you can"),
    ("999", "a bloke at the swimming baths was touching my young son in the changing rooms and he's still stood by the lockers"),
])
def test_described_emergencies_are_grade_1(channel: str, text: str) -> None:
    got = _assess(text, channel)
    assert got.grade == 1, got.reasons


@pytest.mark.parametrize(("channel", "text"), [
    ("999", "a wheelbarrow has come off a trailer in the outside lane of the dual carriageway and cars are swerving round it"),
    ("101", "a man is trying to nick the lead off the church roof, I can see him up there"),
    ("999", "I've just got in and the patio door is wide open and my laptop's gone from the table"),
    ("chat", "a boy grab my bag and he ran off towards the park"),
    ("999", "somebody started a fire on purpose in the skip behind the flats and ran off, it's spreading to the fence"),
    ("101", "my stolen van is showing on the tracker, it's parked up on the industrial estate now"),
    ("chat", "my ex is sat outside my flat in his car again, he's not allowed near me"),
])
def test_described_priorities_are_sent(channel: str, text: str) -> None:
    got = _assess(text, channel)
    assert got.grade <= 2 and got.route == "deploy", got.reasons


@pytest.mark.parametrize(("channel", "text"), [
    ("101", "I reversed into a parked car at the gym and left a note with my number under the wiper, do I need to report it"),
    ("online", "Someone keeps kicking my garden fence panels in at night. I think they're doing it now and then but I never see them."),
    ("101", "a driver behind me kept flashing his headlights at me on the bypass this morning, can I report that"),
])
def test_look_alikes_are_not_read_as_danger(channel: str, text: str) -> None:
    got = _assess(text, channel)
    assert "suicide_risk" not in got.flags and "threat_to_life" not in got.flags, got.reasons
    assert got.grade >= 3, got.reasons
