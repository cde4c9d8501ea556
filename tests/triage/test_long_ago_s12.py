"""A report of something years ago is not happening now (issue #10, session 12). Fresh wordings of our own.

"Between 2016 and 2018", "in the 90s", "when I was a kid" date the whole report, whatever its verbs
("including choking me"); "since 2019" and "for years" do not (abuse that began then may be going on), and a
caller who says the danger is here now is an emergency whatever else they say.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(text: str, channel: str = "101"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": text, "received_at": "2026-03-01T21:14:05Z"}))


@pytest.mark.parametrize("text", [
    "I want to report what my ex did between 2016 and 2018, including choking me till I passed out, we have no contact",
    "when I was a kid my uncle used to beat me with a belt, he's an old man now, I want it on record",
    "a lad put a knife to my neck at a party in 2017, I never reported it, I've just found out his name",
])
def test_a_report_of_years_ago_is_not_an_emergency(text: str) -> None:
    got = _assess(text)
    assert got.grade >= 3, got.reasons
    assert "in_progress" not in got.flags and "threat_to_life" not in got.flags


@pytest.mark.parametrize("text", [
    "he choked me in 2019 and he's outside my house right now banging on the door",
    "my ex got out of prison, he stabbed me in 2018, and he's at the door tonight shouting he'll finish it",
    "he's been beating me since 2019 and he's hitting me right now",
])
def test_the_past_named_beside_danger_now_stays_an_emergency(text: str) -> None:
    assert _assess(text, "999").grade == 1


@pytest.mark.parametrize("text", [
    "my lad got his phone robbed off him on the bus last Wednesday, he's only just told me",
    "someone took the strimmer out of the garage while we were away, I've only just noticed",
])
def test_only_just_telling_or_noticing_is_not_a_crime_just_happened(text: str) -> None:
    assert _assess(text).grade >= 3


def test_only_just_happened_is_still_recent() -> None:
    assert _assess("a lad's only just snatched my phone at the bus stop and ran towards the park", "999").grade <= 2
