"""Dangers described, from the urgent contacts writers o-s still saw proposed grade 4 (issue #10, session 11).

Fresh wordings of our own (not the writers' rows): an overdose of a named medicine, an old grenade or shell
found, a car or a person on a railway line or level crossing, a caller who cannot get out because someone
will not let them; a groomed child is not a fraud; and look-alikes that must not be read as danger.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.policy import load_policy
from bluelamp.triage.narrative import Lexicon
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _facts(text: str) -> set[str]:
    lexicon = Lexicon(load_policy().doc("indicators"), {})
    return set(lexicon.analyse_normalised(lexicon.normalise(text)).facts)


def _assess(narrative: str, channel: str = "999"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": narrative,
                                            "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize(("text", "channel"), [
    ("my brother has swallowed two strips of co-codamol and he's slurring, he says leave him alone", "999"),
    ("she's taken all of her citalopram, about an hour ago, she's on the sofa", "101"),
    ("the lads on the allotment have dug up what looks like a rusty old shell from the war", "101"),
    ("my son found a grenade in the stream behind our house, he's carried it into the kitchen", "999"),
    ("there's a van stalled across the level crossing on Mill Lane and the lights have started flashing", "101"),
    ("two kids are walking along the railway line by the footbridge, a train just went past", "online"),
    ("i cant get out of the flat, the man i came here with has locked it and he wont let me", "chat"),
])
def test_described_dangers_are_emergencies(text: str, channel: str) -> None:
    got = _assess(text, channel)
    assert got.grade == 1, got.reasons


@pytest.mark.parametrize("text", [
    "my 13 year old daughter has been messaged by a grown man on Snapchat asking for pictures",
    "a man keeps giving my son of 14 money and new phones and taking him to another town",
])
def test_child_exploitation_is_not_sent_to_report_fraud(text: str) -> None:
    got = _assess(text, "online")
    assert got.route != "refer:report_fraud" and "fraud" not in _facts(text)
    assert "exploitation" in _facts(text) or "child_at_risk" in got.flags


def test_courier_fraud_still_raises_fraud() -> None:
    assert "fraud" in _facts("a man is coming to collect my nan's bank card, he said he was from the police")


@pytest.mark.parametrize("text", [
    "I take sertraline for my anxiety and the chemist gave me the wrong strength",
    "we've got a grenade-shaped bottle opener that was stolen from the shop counter",
    "I was stuck at the level crossing for twenty minutes this morning, the barriers were broken",
    "my teenager can't get out of bed before noon and his dad won't let me wake him",
])
def test_look_alikes_are_not_read_as_danger(text: str) -> None:
    facts = _facts(text)
    assert "threat_to_life" not in facts and "overdose" not in facts


def test_a_dog_collapsing_in_a_hot_car_is_attended() -> None:
    got = _assess("dog locked in a silver car outside Aldi, it's baking, windows shut, and it's flopped over on the seat", "101")
    assert (got.grade, got.route) == (2, "deploy"), got.reasons


@pytest.mark.parametrize("text", [
    "there's a dog in a car outside the vets, window's down a bit, it's barking at everyone",
    "my dog collapsed on our walk this morning and the vet says it was the heat, she's fine now",
])
def test_a_dog_not_in_danger_in_a_car_is_not_read_so(text: str) -> None:
    assert "animal_in_danger" not in _facts(text)


@pytest.mark.parametrize("text", [
    "a car's just smashed into the lamp post outside and the driver's jumped out and ran off towards the park",
    "there's a car just crashed into the wall by the garage, the airbags have gone off and there's nobody in it",
])
def test_a_fresh_crash_with_no_driver_is_attended(text: str) -> None:
    got = _assess(text, "101")
    assert got.grade <= 2 and got.route == "deploy", got.reasons


def test_a_deer_that_ran_off_is_not_a_driver_who_fled() -> None:
    facts = _facts("I hit a deer on the way home, the car's dented and the deer ran off into the woods")
    assert "occupant_fled" not in facts
