"""The rules' reading that sets aside a flag only the text model read (issue #10, session 12; grading.yaml set_aside).

"A bottle of wine" names a drink: the model's weapon reading of "got a bottle" is set aside unless anything violent,
threatening or hurt is found. Fraud already done is Report Fraud's, so the model needs its surer reading to lift it.
Fresh wordings of our own.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.policy import load_policy
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _assess(text: str, channel: str = "101"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": text, "received_at": "2026-03-01T21:14:05Z"}))


def test_a_drink_is_not_a_weapon() -> None:
    # the flag only: the model's urgency reading of this (it reads an emergency in "with a bottle") is a separate
    # matter, measured on the corpus, not pinned here
    got = _assess("there's a lad with a bottle of beer on the swings, he's singing")
    assert "weapon" not in got.flags
    assert any("reading of weapon set aside" in r for r in got.reasons)


@pytest.mark.parametrize("text", [
    "he's got a bottle of vodka and he's swinging it at people outside the pub",
    "a man's smashed a bottle of wine on the bar and he's threatening the staff with it",
])
def test_a_drink_used_as_a_weapon_stays_a_weapon(text: str) -> None:
    got = _assess(text, "999")
    assert got.grade == 1


def test_set_aside_rules_name_known_flags() -> None:
    grading = load_policy().doc("grading")
    assert {r.flag for r in grading.set_aside} == {"weapon"}
