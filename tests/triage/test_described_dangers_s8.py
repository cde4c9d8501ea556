"""Dangers described by callers who play them down, that the rules now read (issue #10, session 8).

Fresh examples of each kind the session-8 indicators cover (none is a training or held-out line), written
for this test: a caller who minimises ("probably nothing", "I hope this is okay") is not describing safety;
violence described ("thrown her down the stairs", "got her by the hair"), a robbery by knocking someone
down, drink driving about to happen, a means of suicide at hand, a child taken by a stranger or left in a
hot car, someone down behind a locked door, a high-risk missing person described, a person in the road.
And what must not read as danger: thumping music, a missing person already home, "won't let me go to the
party", a road sign knocked flat.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.policy import load_policy
from bluelamp.triage.narrative import Lexicon
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(narrative: str, channel: str = "999"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": narrative,
                                            "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize(("channel", "text"), [
    ("101", "sorry, I'm at my sister's and her boyfriend has just thrown her across the kitchen into the table, he's in the lounge now"),
    ("101", "I don't like to make a fuss but my grandson has got my daughter by the throat in the hallway and she's crying"),
    ("chat", "its prob nothing but my stepdad has been punching my mum for hours tonight, im in my room"),
    ("101", "sorry, I'm 80, a lad on a scooter knocked me down on purpose and took my shopping bag, my knee's bleeding, he went towards the shops"),
    ("101", "probably being silly but the landlord's had about six pints and he's just got into his van with his two little girls, engine running"),
    ("online", "Not sure this is the place. My cousin has messaged that he is in his garage with a hose pipe from the exhaust and he is sorry."),
    ("online", "Sorry to use the form. A woman I don't know just took a little boy from the swings, put him in her car and drove towards the ring road."),
    ("101", "I might be overreacting, there's a baby strapped in a car seat in a locked car in the retail park, it's 29 degrees and the windows are shut"),
    ("chat", "sorry to bother you, my neighbour's 90, she isn't answering and I can see her lying on the kitchen floor through the back window, it's locked"),
    ("101", "I'm sorry, we can't find one of our residents, he's 84 with dementia and he walked out of the care home in his pyjamas, it's 2 degrees"),
    ("online", "A girl of 4 was last seen on the seafront by the harbour 20 minutes ago, her mum is searching"),
])
def test_minimised_emergencies_are_grade_1(channel: str, text: str) -> None:
    got = _assess(text, channel)
    assert got.grade == 1, got.reasons


@pytest.mark.parametrize(("channel", "text"), [
    ("101", "sorry I know it's not a crime, there's a van stalled in the fast lane of the bypass with no lights and the driver is standing next to it"),
    ("101", "hello, there's an old man sat in the road by the bus station, cars are beeping at him, he seems drunk"),
])
def test_people_in_the_road_are_sent(channel: str, text: str) -> None:
    got = _assess(text, channel)
    assert got.grade <= 2 and got.route == "deploy", got.reasons


def test_a_minimising_caller_is_not_describing_safety() -> None:
    lexicon = Lexicon(load_policy().doc("indicators"), {})
    for text in ("it's probably nothing but he's shouting at her", "I hope this is okay to ask", "he's probably fine"):
        facts = {m.fact for m in lexicon.analyse(lexicon.normalise(text)).mentions}
        assert "settled_now" not in facts, text
    said_safe = {m.fact for m in lexicon.analyse(lexicon.normalise("she's safe now, she is calm")).mentions}
    assert "settled_now" in said_safe


@pytest.mark.parametrize(("channel", "text"), [
    ("101", "sorry to ring, the flat below has had the bass thumping since ten and I'm on an early shift"),
    ("101", "I reported my son missing yesterday and he came home at about 2am, he's fine, who do I let know"),
    ("chat", "my dad wont let me go to the festival on sunday, can he stop me, im 15"),
    ("101", "a road sign has been knocked flat on the verge by the roundabout, nobody's hurt"),
])
def test_look_alikes_are_not_sent(channel: str, text: str) -> None:
    got = _assess(text, channel)
    assert got.grade >= 3, got.reasons
