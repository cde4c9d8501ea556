"""A phone taken "off the table" is a theft, not a missing person; a missing person back home is news, not a
search (issue #10, session 13). Fresh wordings of our own."""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(text: str, channel: str = "101"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": text, "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize("text", [
    "somebody had my phone off the bar in the Wetherspoons on Saturday, they're long gone, I need a crime number",
    "I sold a phone off eBay and the buyer says it never came, now he wants his money back, what do I do",
])
def test_a_phone_off_a_table_or_off_ebay_is_not_a_missing_person(text: str) -> None:
    got = _assess(text)
    assert "missing_person" not in got.flags, got.reasons
    assert got.grade >= 3, got.reasons


@pytest.mark.parametrize("text", [
    "my lad that I reported missing this afternoon has just come home, he's fine, sorry for the bother",
    "my sister who went missing on Monday has been found at her friend's in Crewe, can you tell the officer",
])
def test_a_missing_person_back_or_found_is_not_a_search(text: str) -> None:
    got = _assess(text)
    assert got.grade == 4, got.reasons


@pytest.mark.parametrize("text,channel", [
    ("my daughter is 14 and she's not come home from school, her phone is off and it's dark now", "999"),
    ("my husband went out at six and hasn't come home, his mobile is going straight to voicemail, he's been low", "101"),
])
def test_a_missing_person_with_the_phone_off_is_still_urgent(text: str, channel: str) -> None:
    got = _assess(text, channel)
    assert got.grade <= 2, got.reasons
    assert "missing_person" in got.flags


def test_a_missing_person_back_is_not_an_offender_back() -> None:
    got = _assess("I rang last night about my son being missing, he came home at 2, he's back now, ref 3318")
    assert "suspect_present" not in got.flags and "missing_person" not in got.flags, got.reasons
    assert got.grade == 4, got.reasons


def test_an_offender_back_is_still_an_offender_back() -> None:
    got = _assess("my ex who was reported missing has come home, he's back and he's hitting me", "999")
    assert got.grade == 1, got.reasons
