"""Dangers described, from the grade-1 contacts writers x-z saw proposed grade 2 (issue #10, session 12).

Fresh wordings of our own: a ligature tied and ready, someone taken and held for money, a bogus courier at an older
person's door now; and look-alikes that must not be read as danger.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(text: str, channel: str = "chat"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": text, "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize("text", [
    "i've put my dressing gown cord round the banister. nobody's home. sorry",
    "he's tied a belt to the beam in the garage and he's stood on a chair, he won't talk to me",
    "they bundled my cousin into the boot of a silver car and now they're texting us pay 3 grand or else",
    "my nan's on the phone to me, there's a man at her door right now to collect her cards for the bank, she's 88",
])
def test_described_dangers_are_emergencies(text: str) -> None:
    got = _assess(text)
    assert got.grade == 1, got.reasons


@pytest.mark.parametrize("text", [
    "someone grabbed my wrist in the car park at work last week and I want to report it",
    "last Tuesday a courier collected mum's cards from her house after a call from 'the bank', the money's gone now",
])
def test_look_alikes_are_not_read_as_taken_or_at_the_door(text: str) -> None:
    got = _assess(text, "101")
    assert "threat_to_life" not in got.flags and "suspect_present" not in got.flags


def test_hurt_by_someone_is_violence() -> None:
    got = _assess("some lads have hurt my brother by the taxi rank, he's sat on the kerb")
    assert got.grade <= 2 and got.route == "deploy"


def test_hurting_oneself_is_not_violence() -> None:
    got = _assess("my husband came off his bike on the towpath, nobody else involved, he's hurt his wrist", "101")
    assert not any(r.startswith("violence mentioned") for r in got.reasons), got.reasons


@pytest.mark.parametrize("text", [
    # the caller asks what to do and says nobody is hurt: the question alone made these advice before
    "I've just knocked a lad off his bike pulling out of the Spar, he's sat on the wall holding his wrist, he thinks it might be broken, what should I do",
    "a lorry's just driven straight through the crossing with the school kids on it, nobody's hurt, he's gone towards the bypass, what do I do",
    "a van nearly hit two children on the zebra by the school, nobody's hurt, he's long gone up the hill, what do I do",
])
def test_roads_described_are_urgent(text: str) -> None:
    got = _assess(text, "101")
    assert got.grade <= 2 and got.route == "deploy", got.reasons


@pytest.mark.parametrize("text", [
    "my uncle's pissed and keeps saying he's going to go over and stab the lad who owes him. he's just gone out the door with his coat",
    "the fell runner my husband was meeting is overdue on the tops, he left a note saying he's not coming back this time",
    "my mate's driving back to Leeds now after about five pints, he left ten minutes ago in a red Corsa",
])
def test_aa_ab_dangers_described_are_emergencies(text: str) -> None:
    assert _assess(text, "101").grade == 1
