"""Dangers described, not named, from the first reads of writers ac-ae (issue #10, session 13). Fresh wordings
of our own; each was proposed grade 4 before."""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(text: str, channel: str = "101"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": text, "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize("text,channel,grade", [
    ("the grass fire on the common has reached the back fences now and there's people in the bungalows", "101", 1),
    ("a calor gas bottle has exploded at the barbecue in the park, there's smoke everywhere", "999", 1),
    ("the chip van's caught fire at the market and the lad who works it is badly burnt on his arms", "999", 2),
    ("I'm sat in my car on the top floor of the multi-storey, been here an hour thinking about it", "chat", 1),
    ("I've got a box of her pills here and a bottle of vodka, I've already taken some, I don't care", "101", 1),
    ("a man is trying to sell me a laptop that's on your stolen list, he's sat waiting at the counter", "101", 2),
    ("we've stopped a lad who filled a basket with razors and tried to walk out, he's in the office", "101", 2),
])
def test_a_danger_described_is_sent(text: str, channel: str, grade: int) -> None:
    got = _assess(text, channel)
    assert got.grade <= grade, got.reasons
    assert got.route == "deploy"


@pytest.mark.parametrize("text", [
    "someone burnt the bench on the rec over the weekend, it's just charred now",
    "my dad smokes in bed and there are scorch marks on his quilt, can anyone fit him a smoke alarm",
    "the parcel never arrived and the seller says it was delivered, what can I do",
])
def test_the_look_alikes_stay_where_they_were(text: str) -> None:
    got = _assess(text)
    assert got.grade >= 3, got.reasons
    assert "missing_person" not in got.flags and "injury" not in got.flags


@pytest.mark.parametrize("text,fact", [
    ("a calor gas bottle has exploded at the barbecue", "threat_to_life"),
    ("the lad who works it is badly burnt on his arms", "burnt"),
    ("on the top floor of the multi-storey, been here an hour thinking about it", "suicide_risk"),
    ("a box of her pills here, I've already taken some", "overdose"),
    ("he's sat waiting at the counter", "suspect_present"),
    ("we've stopped a lad who filled a basket", "offender_detained"),
    ("my husband never arrived at work this morning", "missing_person"),
    ("there's people in the bungalows and the fire's at the fences", "person_inside"),
])
def test_the_rules_read_the_words(text: str, fact: str) -> None:
    """The rules' own reading (not the model's): the fact each session-13 pattern gives."""
    from bluelamp.policy import load_policy
    from bluelamp.triage import service

    assert fact in service._engine(load_policy()).lexicon.analyse(text).facts


@pytest.mark.parametrize("text,channel", [
    ("my daughter's 13 and she's gone to meet a man from Instagram who asked her for photos, she's not answering", "101"),
    ("my dad's 80 with Alzheimer's and he's not in his bed this morning, the front door's open and it was freezing last night", "101"),
    ("my brother-in-law's just gone off in his van absolutely hammered, two minutes ago, towards the bypass", "chat"),
])
def test_still_missing_or_driving_drunk_now_is_an_emergency(text: str, channel: str) -> None:
    got = _assess(text, channel)
    assert got.grade == 1, got.reasons


def test_a_person_missing_for_years_is_not_an_emergency() -> None:
    got = _assess("my uncle went missing by the canal in 2009 and was never found, I've remembered something about that night")
    assert got.grade >= 2 and "threat_to_life" not in got.flags, got.reasons


@pytest.mark.parametrize("text,channel", [
    ("the pram's gone from outside the chemist, I turned my back for a second, he's ten months, someone's taken him", "999"),
    ("a woman has just snatched my toddler from the trolley and run towards the car park", "999"),
])
def test_a_child_taken_is_a_child_missing_not_a_theft(text: str, channel: str) -> None:
    got = _assess(text, channel)
    assert got.grade == 1 and "missing_person" in got.flags, got.reasons


def test_a_childs_bike_taken_is_a_theft() -> None:
    got = _assess("someone's taken my son's bike from outside the school, I need a crime number for the insurance")
    assert got.grade == 4 and "missing_person" not in got.flags, got.reasons


@pytest.mark.parametrize("text,channel,grade", [
    ("my gran's had a fall in the kitchen, she can't get to the door and I don't know the key safe code", "101", 2),
    ("the carer can't get in, the door's chained, and we can hear him on the floor saying his head's bleeding", "999", 1),
    ("my friend passed out after one drink, a man she didn't know bought it, she's breathing", "101", 2),
    ("lads are going through his pockets while he's out cold on the pavement", "999", 2),
])
def test_someone_who_cannot_be_reached_or_is_being_preyed_on_is_sent(text: str, channel: str, grade: int) -> None:
    got = _assess(text, channel)
    assert got.grade <= grade and got.route == "deploy", got.reasons


def test_a_fall_with_someone_there_to_help_stays_with_the_ambulance() -> None:
    got = _assess("my mum's had a fall in the garden, I'm with her, she's talking, she thinks it's her hip")
    assert got.route == "refer:ambulance", got.reasons
