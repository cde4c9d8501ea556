"""A medical emergency with nothing for the police is the ambulance service's (issue #10, session 12).

POLICY.md: `refer:ambulance` is for a medical matter with no crime. A conscious person with chest pains, a fit, a
hypo or a fall, with no crime, no drink or drugs, no self-harm and nobody out of reach, is referred to the
ambulance and no officer is sent for it alone. Someone unconscious or not breathing, drugs taken, a crime, a child at
risk or a person who cannot be reached keep the police. Fresh wordings of our own.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.policy import load_policy
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(text: str, channel: str = "999"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": text, "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize("text", [
    "my grandad's got chest pains going down his left arm, he's 71, he's sat in his chair, we need an ambulance",
    "my mum's diabetic and having a hypo, she's shaky and sweaty but talking, I've given her some juice",
    "a lady's had a fall in the bakery, she's conscious and sat on a chair, she thinks she's broken her wrist",
])
def test_a_medical_emergency_alone_goes_to_the_ambulance(text: str) -> None:
    got = _assess(text)
    assert got.route == "refer:ambulance" and got.grade == 4, got.reasons


@pytest.mark.parametrize("text", [
    "my brother's collapsed in the bathroom and he's not breathing, he's going blue",
    "my mate's taken something at the party and he's collapsed, he's fitting",
    "a lad pushed the old man over outside the bank and he's had a fall, he's bleeding, the lad's run off",
    "some lad yanked my handbag off me by the bus stop and I fell over, I've cut my knee, he went towards the park",
])
def test_what_keeps_the_police(text: str) -> None:
    got = _assess(text)
    assert got.route == "deploy" and got.grade <= 2, got.reasons


def test_medical_only_is_derived_with_its_exceptions_in_policy() -> None:
    derive = [d for d in load_policy().doc("grading").derive if d.fact == "medical_only"]
    assert len(derive) == 1
    assert {"crime", "overdose", "substance_misuse", "unconscious", "not_breathing", "suicide_risk"} <= set(derive[0].unless)
