"""Positive evidence against an emergency holds against a less sure model reading (issue #10, session 6).

grading.yaml `held`: while the rules place a contact with a partner (a fire with nobody at risk, an animal,
a road hazard) or find threats sent by message with nothing to say the sender is there, the text model lifts
the grade only at its surer `held` threshold. Anything present, trapped or hurt sets the hold aside.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(narrative: str, channel: str = "999"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": narrative,
                                            "received_at": "2026-03-01T21:14:05Z"}))


@pytest.fixture()
def eager_model(shipped_model_with_floor):  # type: ignore[no-untyped-def]
    """The shipped model with floors so low that it lifts any contact to grade 1 (the mechanism under test,
    not where the thresholds sit), and `held` out of reach; put back afterwards."""
    shipped_model_with_floor({"1": 0.0001, "2": 0.0001, "held": 1.01})


@pytest.mark.parametrize(("text", "route"), [
    ("somebody has set the recycling bins alight at the end of our cul de sac, nobody near them", "refer:fire"),
    ("there's an injured deer on the verge by the farm gate", "refer:rspca"),
    ("a ladder has fallen on the carriageway near junction 4", "refer:highways"),
])
def test_a_partner_matter_the_rules_name_is_not_lifted_by_a_loose_reading(eager_model, text: str,
                                                                            route: str) -> None:  # type: ignore[no-untyped-def]
    got = _assess(text)
    assert (got.grade, got.route) == (4, route)
    assert any("must read urgency more surely" in r for r in got.reasons)


def test_without_a_hold_the_same_loose_reading_lifts(eager_model) -> None:  # type: ignore[no-untyped-def]
    # the fixture's floors lift anything not held: the hold, not the floors, keeps the partner matters calm
    got = _assess("my neighbour keeps parking across my drive, it's been a week")
    assert got.grade == 1


@pytest.mark.parametrize("text", [
    "somebody has set the bins alight right against the back door and my nan is still inside",
    "there's a fox in the road and a car has swerved and hit a lamp post, the driver's not moving",
])
def test_anything_urgent_sets_the_hold_aside(eager_model, text: str) -> None:  # type: ignore[no-untyped-def]
    assert _assess(text).grade == 1


def test_threats_by_message_are_priority_until_the_sender_is_here(eager_model) -> None:  # type: ignore[no-untyped-def]
    by_text = _assess("my ex keeps messaging me saying he will smash my face in when he sees me")
    assert by_text.grade == 2 and "domestic_abuse" in by_text.flags
    here = _assess("my ex messaged me saying he will smash my face in and now he's outside my front door")
    assert here.grade == 1


@pytest.mark.parametrize(("channel", "text"), [
    ("101", "the man who's been following me for weeks is now at my front door ringing the bell"),
    ("chat", "some lad has pulled a screwdriver on the cashier and he's still in the shop"),
    ("101", "a car has gone into the river by the bridge, I can't see anyone getting out"),
    ("chat", "my flatmate has got the rope and says he's doing it tonight"),
    ("online", "my dad is in a wheelchair and there's smoke coming under his flat door, 4th floor, he can't get out"),
    ("101", "a pensioner is under the front wheels of the bus at the stop"),
])
def test_dangers_described_on_any_channel_are_grade_1(channel: str, text: str) -> None:
    assert _assess(text, channel).grade == 1


@pytest.mark.parametrize(("channel", "text"), [
    ("101", "I left a note for the school about my son's absence, can you tell me if truancy is a police matter"),
    ("101", "he's got a bottle of wine and he's singing in the garden, it's a bit loud"),
])
def test_their_look_alikes_are_not(channel: str, text: str) -> None:
    assert _assess(text, channel).grade >= 3


@pytest.mark.parametrize("text", [
    "could you please just come, it's my dad again",
    "you need to come to the flats on Orchard Road",
    "I need the police, it's about my daughter",
])
def test_a_plea_that_names_no_danger_is_never_advice_on_999(text: str) -> None:
    got = _assess(text, "999")
    assert got.grade <= 2 and got.provisional


@pytest.mark.parametrize(("text", "flag_or_reason"), [
    ("a lad on a bike has just grabbed my handbag and gone towards the park", "just happened"),
    ("I've just had my phone snatched out of my hand outside the station", "taken by force"),
])
def test_a_theft_that_has_just_happened_is_sent(text: str, flag_or_reason: str) -> None:
    got = _assess(text, "101")
    assert got.grade <= 2 and got.route == "deploy"
    assert any(flag_or_reason in r for r in got.reasons)


def test_an_old_theft_is_still_recorded_by_phone() -> None:
    got = _assess("someone took my bike from outside the library last Tuesday, I've got the frame number", "101")
    assert got.grade == 4 and got.route == "telephone_resolution"


@pytest.mark.parametrize(("channel", "text"), [
    ("101", "I've just come home to find the back door kicked in and the drawers all out"),
    ("101", "kids keep setting the hedge alight behind the garages, it's still smouldering"),
    ("101", "my uncle has been giving all his things away and says we won't miss him"),
    ("999", "no it's fine, rang by mistake (man: put the phone down now)"),
    ("999", "a lorry has jack knifed across all lanes of the A38 southbound"),
    ("chat", "someone online says they'll share my pictures unless I pay them tonight"),
])
def test_described_urgency_is_never_left_at_grade_4(channel: str, text: str) -> None:
    got = _assess(text, channel)
    assert got.grade <= 2


@pytest.mark.parametrize(("channel", "text"), [
    ("101", "there's a man trying to get in through my kitchen window right now"),
    ("online", "a gang are outside the chip shop kicking a lad who's on his own"),
    ("101", "my neighbour is 86 and she's been lying on the kitchen floor for hours, I can see her through the window"),
    ("chat", "there's a toddler strapped in a car outside Aldi, windows up and it's boiling"),
    ("chat", "a man in a grey van just tried to get a little girl to go with him at the park gates"),
])
def test_more_dangers_described_off_999_are_grade_1(channel: str, text: str) -> None:
    assert _assess(text, channel).grade == 1


def test_answers_saying_it_is_going_on_with_someone_hurt_make_it_an_emergency() -> None:
    got = assess(ContactIn.model_validate({"channel": "chat", "narrative": "please help my sister",
                                           "received_at": "2026-03-01T21:14:05Z",
                                           "answers": {"in_progress": True, "suspect_present": True, "injury": True}}))
    assert got.grade == 1


def test_kicking_a_ball_is_not_violence() -> None:
    got = _assess("the kids next door keep kicking their football against my fence", "101")
    assert "in_progress" not in got.flags
    assert not any("violence being done now" in r for r in got.reasons)


def test_a_masked_bloody_is_not_read_as_another_word() -> None:
    got = _assess("my partner has got me by the bl**dy throat", "999")
    assert got.grade == 1 and "threat_to_life" in got.flags


@pytest.mark.parametrize(("channel", "text"), [
    ("chat", "two lads with machetes are chasing someone down Market Street"),
    ("999", "a bloke is shouting racist abuse at the bus driver and spitting at him, he's still on the bus"),
])
def test_weapons_in_the_plural_and_hate_with_the_offender_there_are_grade_1(channel: str, text: str) -> None:
    assert _assess(text, channel).grade == 1


@pytest.mark.parametrize("text", [
    "my mum is 84 and a man has just conned his way into her house and taken her purse, he's gone",
    "someone's smashed my car window and taken the sat nav, they've gone now",
    "a lad just nicked a bottle of vodka from the shop and ran off, he's long gone",
])
def test_a_property_crime_after_the_offender_has_gone_is_held(eager_model, text: str) -> None:  # type: ignore[no-untyped-def]
    # session 9: POLICY grade 1 is a robbery or assault just done or an offender at the scene; a theft after
    # the offender has left, with no one hurt or threatened, is priority at most unless the model is sure
    got = _assess(text)
    assert got.grade >= 2
    assert any("property crime after the offender has gone" in r for r in got.reasons)


@pytest.mark.parametrize("text", [
    "a man has just pushed my mum over and taken her purse, he's gone",  # violence: a robbery
    "someone's smashed my car window and taken the sat nav, he's gone but he had a knife",
    "they've taken my purse and gone but my little boy was in the car and he's missing",
])
def test_a_hold_for_property_crime_is_set_aside_by_anything_urgent(eager_model, text: str) -> None:  # type: ignore[no-untyped-def]
    assert _assess(text).grade == 1
