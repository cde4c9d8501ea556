"""A clear reading of a matter for a scheduled attendance is positive evidence (issue #10, session 10).

When the rules find nothing and the text model reads grade 3 and the appointment route clearly, with little
urgency, the proposal is grade 3, appointment, provisional (the key questions are still asked), instead of
the channel's safe default (a 999 call: grade 1). Anything unclear, any urgency the model reads, and the
handler's answers keep the fail-safe as it was.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.policy import load_policy
from bluelamp.triage.grading import Grader
from bluelamp.triage.model import Learned
from bluelamp.triage.narrative import Lexicon
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb

PLACED = ("appointment", "grade 3, appointment: the text model reads a matter for a scheduled attendance (90%)")


def _decide(text: str, learned: Learned, channel: str = "999", answers: dict[str, bool] | None = None):  # type: ignore[no-untyped-def]
    policy = load_policy()
    lexicon = Lexicon(policy.doc("indicators"), {})
    findings = lexicon.analyse_normalised(lexicon.normalise(text))
    return Grader(policy).decide(findings, answers or {}, channel=channel, learned=learned)


def test_with_no_rule_evidence_the_models_clear_reading_places_it_at_grade_3() -> None:
    text = "the telly's gone and the drawers are all out"
    assert _decide(text, Learned()).grade == 1  # without the reading: the 999 call's safe default
    placed = _decide(text, Learned(route=PLACED))
    assert (placed.grade, placed.route, placed.provisional) == (3, "appointment", True)
    assert PLACED[1] in placed.reasons
    assert not any("nothing yet established" in r for r in placed.reasons)


def test_an_unclear_call_keeps_the_safe_default_whatever_the_model_reads() -> None:
    got = _decide("please help the telly's gone", Learned(route=PLACED))
    assert (got.grade, got.provisional) == (1, True)


def test_rule_evidence_of_urgency_is_never_lowered_by_the_reading() -> None:
    text = "he's still in the house, I can hear him upstairs"
    without = _decide(text, Learned())
    assert without.grade <= 2
    assert _decide(text, Learned(route=PLACED)).grade == without.grade


def _assess(narrative: str, channel: str = "999"):  # type: ignore[no-untyped-def]
    return assess(ContactIn.model_validate({"channel": channel, "narrative": narrative,
                                            "received_at": "2026-03-01T21:14:05Z"}))


def test_a_break_in_found_on_coming_home_is_an_appointment_not_an_emergency() -> None:
    got = _assess("we've just got back from a week at my sister's in Leeds and the back door's been jemmied, "
                  "the telly's gone and the drawers are all out, there's nobody here now")
    assert (got.grade, got.route, got.provisional) == (3, "appointment", True)
    assert any(r.startswith("grade 3, appointment: the text model reads") for r in got.reasons)
    assert got.questions  # still provisional: the handler is asked the key questions


@pytest.mark.parametrize("text", [
    "the back door's been jemmied and the telly's gone, I think they're still upstairs I can hear them",
    "please help, we've just got back and the back door's been jemmied, the telly's gone",
])
def test_its_twins_with_someone_there_or_a_plea_stay_emergencies(text: str) -> None:
    assert _assess(text).grade == 1
