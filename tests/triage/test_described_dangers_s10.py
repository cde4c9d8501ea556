"""Dangers described, from the urgent contacts writers o-s saw proposed grade 4 (issue #10, session 10).

Fresh wordings of our own (not the writers' rows): a person in a burning car, a driver pinned by the leg,
a caller held where they are; and look-alikes that must not be read as held.
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
    ("a van's gone up in flames on the retail park and there's someone in it, he's not getting out", "999"),
    ("we've hit a tree on the back lane, my husband's leg is trapped under the steering wheel", "999"),
    ("pls help the man whose flat im in wont let me leave", "chat"),
    ("they're holding me here and took my phone, I'm using my friend's, 14 Orchard Way", "101"),
])
def test_described_dangers_are_emergencies(text: str, channel: str) -> None:
    assert _assess(text, channel).grade == 1


@pytest.mark.parametrize("text", [
    "my mum won't let me go to the cinema with my friends",
    "the shop won't let me leave without paying for the broken mug",
    "my car's been stuck in the garage for a week waiting for a part",
])
def test_look_alikes_are_not_read_as_danger(text: str) -> None:
    facts = _facts(text)
    assert "threat_to_life" not in facts and "trapped" not in facts and "person_inside" not in facts
