"""Days or years past is not now (issue #10 item 4, session 13). Fresh wordings of our own.

A childhood long past ("when I was 9", "in the 80s") makes the whole report historic, so a child in it is not
a child at risk now; a threat to life or a strangling days or weeks ago ("on Sunday", "a fortnight ago") with
the offender gone is an appointment, not an emergency. Anything said to be happening now, the offender back,
a child there or someone hurt keeps it urgent.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(text: str, channel: str = "101"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": text, "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize("text", [
    "my cousin touched me when I was 9, that was in the 80s, I want to make a statement about it now",
    "when I was 10 my step mum used to lock me in the cellar and hit me, I'm 41 now and I've decided to report it",
])
def test_a_childhood_long_past_is_not_a_child_at_risk_now(text: str) -> None:
    got = _assess(text)
    assert got.grade == 3, got.reasons
    assert got.route == "appointment"


@pytest.mark.parametrize("text", [
    "my boyfriend choked me a fortnight ago, I've left him and I'm at my sister's in Hull now",
    "a lad at the taxi rank said he'd stab me on Sunday night, he'd nothing on him, haven't seen him since",
    "my husband said he would kill me last month, I moved out the next day and he doesn't know where I am",
])
def test_a_threat_to_life_days_or_weeks_past_is_an_appointment(text: str) -> None:
    got = _assess(text)
    assert got.grade == 3, got.reasons
    assert got.route == "appointment"


@pytest.mark.parametrize("text", [
    "my brother punched me at the christening a couple of weeks back, he lives in Spain now, I want it recorded",
    "someone cut my son with a bottle outside the kebab shop the weekend before last, he's had stitches, we know the lad",
    "my partner pushed me into the wardrobe a fortnight ago, I've gone to my mum's and I want to report it",
])
def test_more_ways_of_saying_days_or_weeks_past(text: str) -> None:
    got = _assess(text)
    assert got.grade == 3, got.reasons


@pytest.mark.parametrize("text,channel", [
    ("my ex strangled me last week and he's outside my house right now banging on the windows", "999"),
    ("he said on Friday he'd kill me and he's just come back, he's in the garden", "999"),
    ("my uncle abused me when I was 8 and he's babysitting my little girl tonight, she's with him now", "101"),
    ("my partner tried to strangle me last night and he's still here in the house", "999"),
])
def test_the_past_beside_danger_now_stays_urgent(text: str, channel: str) -> None:
    got = _assess(text, channel)
    assert got.grade <= 2, got.reasons


@pytest.mark.parametrize("text", [
    "I'm 79 and someone broke into my shed during the night and stole the lawnmower, I found it this morning",
    "my mum's 88 and someone stole her handbag from the church hall this morning while she was at the coffee morning",
])
def test_an_older_or_disabled_victim_of_a_crime_found_after_it_is_an_appointment(text: str) -> None:
    got = _assess(text)
    assert got.grade == 3, got.reasons


def test_an_older_victim_with_the_thief_still_there_is_still_priority() -> None:
    got = _assess("I'm 84 and a lad has just taken my purse at the bus stop, he's still stood there laughing", "999")
    assert got.grade <= 2, got.reasons
