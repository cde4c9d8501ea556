"""Unit tests of the triage rules: negation, answers, attend-by maths, policy version, screening."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.policy import load_policy
from bluelamp.triage.model import Assessment
from bluelamp.triage.service import assess, screen_text

RECEIVED = datetime(2026, 3, 1, 21, 14, 5, tzinfo=UTC)


def contact(narrative: str, **extra: Any) -> ContactIn:
    body: dict[str, Any] = {"channel": "999", "narrative": narrative, "received_at": RECEIVED.isoformat()}
    body.update(extra)
    return ContactIn.model_validate(body)


def flags(narrative: str, **extra: Any) -> list[str]:
    return assess(contact(narrative, **extra)).flags


# ---------------------------------------------------------------- negation


@pytest.mark.parametrize("text", [
    "there were no weapons",
    "he didn't have a knife",
    "he didnt have a knife",
    "no sign of any weapon",
    "I don't think he has a weapon",
    "weapons? none",
])
def test_a_negated_weapon_raises_nothing(text: str) -> None:
    assert "weapon" not in flags(text)


@pytest.mark.parametrize("text", ["nobody was hurt", "no one was injured", "I'm not injured", "no injuries"])
def test_a_negated_injury_raises_nothing(text: str) -> None:
    assert "injury" not in flags(text)


def test_negation_stops_at_the_end_of_its_clause() -> None:
    assert "weapon" in flags("no, he's got a knife")
    assert "weapon" in flags("nobody was hurt but he has a knife")
    assert "weapon" in flags("i cant breathe hes got a knife")


def test_doubt_is_not_negation() -> None:
    assert "weapon" in flags("not sure but he might have a knife")
    assert "in_progress" in flags("he won't stop hitting her")


def test_hes_gone_now_means_not_in_progress() -> None:
    assert "in_progress" not in flags("someone was kicking my door, he's gone now")
    assert "in_progress" in flags("someone is kicking my door")


def test_misspellings_and_chat_style_are_read() -> None:
    assert "weapon" in flags("he has a knif")
    assert "weapon" in flags("my mate got stabed")
    assert "threat_to_life" in flags("he strangld her")
    assert "weapon" in flags("HES GOT A KNIFEEEE!!!")


def test_the_reason_quotes_the_words_found() -> None:
    assert "weapon mentioned: 'knife'" in assess(contact("he has a knife")).reasons


# ---------------------------------------------------------------- answers override the narrative


def test_answer_weapon_false_removes_a_narrative_weapon() -> None:
    assert "weapon" in flags("he had a knife")
    assert "weapon" not in flags("he had a knife", answers={"weapon": False})


def test_answers_raise_the_flag_of_the_same_name() -> None:
    got = flags("a disturbance", answers={"weapon": True, "injury": True, "in_progress": True,
                                          "suspect_present": True, "threat_to_life": True})
    assert {"weapon", "injury", "in_progress", "suspect_present", "threat_to_life"} <= set(got)


def test_child_present_raises_child_at_risk() -> None:
    assert "child_at_risk" in flags("my partner pushed me", answers={"child_present": True})


def test_a_false_answer_beats_derived_facts_too() -> None:
    got = flags("someone is breaking in right now", answers={"suspect_present": False})
    assert "suspect_present" not in got and "in_progress" in got


def test_answering_no_threat_to_life_lowers_the_grade() -> None:
    assert assess(contact("he's going to kill me")).grade == 1
    assert assess(contact("he's going to kill me", answers={"threat_to_life": False})).grade > 1


# ---------------------------------------------------------------- attend_by


@pytest.mark.parametrize(("narrative", "urban", "minutes"), [
    ("he has a knife", True, 15),
    ("he has a knife", False, 20),
    ("he has a knife", None, 15),  # a missing urban counts as urban
    ("my 9 year old son hasn't come home", True, 60),
    ("my 9 year old son hasn't come home", False, 60),
    ("we came home from holiday to find we'd been burgled", True, 48 * 60),
])
def test_attend_by_is_received_at_plus_the_grade_target(narrative: str, urban: bool | None, minutes: int) -> None:
    extra = {"location": {"urban": urban}} if urban is not None else {}
    got = assess(contact(narrative, **extra))
    assert got.attend_by == RECEIVED + timedelta(minutes=minutes)
    assert got.attend_by.tzinfo is not None


def test_attend_by_is_utc_whatever_the_zone_received_in() -> None:
    summer = ContactIn.model_validate({"channel": "999", "narrative": "he has a knife",
                                       "received_at": "2026-07-01T10:00:00+01:00"})
    got = assess(summer).to_dict()
    assert got["attend_by"] == "2026-07-01T09:15:00Z"


def test_attend_by_uses_now_when_received_at_is_missing() -> None:
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    got = assess(ContactIn(channel="999", narrative="he has a knife"), now=now)
    assert got.attend_by == now + timedelta(minutes=15)


def test_no_attend_by_unless_deployed_or_by_appointment() -> None:
    got = assess(contact("my bike was stolen last week"))
    assert got.route == "telephone_resolution" and got.attend_by is None and got.to_dict()["attend_by"] is None


# ---------------------------------------------------------------- the assessment record


def test_the_policy_version_is_recorded() -> None:
    got = assess(contact("he has a knife"))
    assert got.policy_version == load_policy().version == got.to_dict()["policy_version"]


def test_to_dict_is_exactly_the_contract_shape() -> None:
    out = assess(contact("my partner hit me, the kids are here")).to_dict()
    assert list(out) == ["grade", "grade_name", "route", "flags", "attend_by", "thrive", "referrals",
                         "reasons", "policy_version", "provisional", "questions"]
    assert out["provisional"] is False and all(isinstance(q, str) for q in out["questions"])
    assert set(out["thrive"]) == {"threat", "harm", "risk", "investigation", "vulnerability", "engagement"}
    assert out["thrive"]["risk"] in {"high", "medium", "low"}
    assert out["attend_by"].endswith("Z")
    assert json.loads(json.dumps(out)) == out


def test_flags_come_in_the_policy_order() -> None:
    order = load_policy().flags.ids()
    got = flags("my boyfriend has a knife and is hitting me, the kids are screaming")
    assert got == sorted(got, key=order.index)


def test_the_contract_json_is_a_copy_so_editing_it_cannot_change_the_recorded_assessment() -> None:
    got = assess(contact("my partner hit me, the kids are here"))
    before = json.loads(json.dumps(got.to_dict()))  # a deep copy, so the edits below cannot reach it
    out = got.to_dict()
    for key in ("flags", "referrals", "reasons", "questions"):
        out[key].append("edited")
    out["thrive"]["risk"] = "edited"
    assert got.to_dict() == before


def test_an_assessment_refuses_a_naive_attend_by() -> None:
    got = assess(contact("he has a knife"))
    assert got.attend_by is not None
    with pytest.raises(ValueError, match="timezone-aware"):
        Assessment(**{**vars(got), "attend_by": got.attend_by.replace(tzinfo=None)})


def test_history_flags_are_recorded_and_can_raise_a_crime_to_attendance() -> None:
    narrative = "someone scratched my car with a key overnight, no one saw it"
    plain = assess(contact(narrative))
    repeat = assess(contact(narrative), history_flags=["repeat_victim", "repeat_caller"])
    assert plain.grade == 4 and "repeat_victim" not in plain.flags
    assert repeat.grade == 3 and {"repeat_victim", "repeat_caller"} <= set(repeat.flags)
    assert any("repeat victim" in r for r in repeat.reasons)


def test_stateless_paths_never_raise_repeat_flags() -> None:
    got = assess(contact("this is the third time he has hit me, I called you last week too"))
    assert not {"repeat_victim", "repeat_caller"} & set(got.flags)
    assert not {"repeat_victim", "repeat_caller"} & set(screen_text("again", ["repeat_victim"]).flags)


def test_right_care_right_person_records_the_threshold_decision() -> None:
    referred = assess(contact("my neighbour is confused and hearing voices, she's not hurting anyone"))
    assert referred.route == "refer:mental_health"
    assert any(r.startswith("Right Care, Right Person: no crime") for r in referred.reasons)
    attended = assess(contact("my son has schizophrenia and is threatening to jump off the bridge"))
    assert attended.route == "deploy"
    assert any("threshold met" in r for r in attended.reasons)


def test_referrals_name_only_known_agencies() -> None:
    agencies = load_policy().routes.agency_ids()
    got = assess(contact("crash on the motorway, the driver is trapped and unconscious, lanes blocked"))
    assert got.grade == 1 and {"ambulance", "fire"} <= set(got.referrals) <= agencies


# ---------------------------------------------------------------- screening live chat


def test_screen_text_flags_an_emergency() -> None:
    got = screen_text("hes got a knife and hes outside my door")
    assert got.is_emergency and got.grade == 1 and "weapon" in got.flags


def test_screen_text_uses_earlier_flags() -> None:
    got = screen_text("he's outside my house now", prior_flags=["weapon"])
    assert got.is_emergency and "weapon" in got.flags


def test_screen_text_is_calm_about_a_question() -> None:
    got = screen_text("hi, how do I get a copy of my crime reference?")
    assert not got.is_emergency and got.grade == 4
    assert got.to_dict()["is_emergency"] is False


# ---------------------------------------------------------------- the API function (HTTP tests are the lead's)


def test_the_api_function_returns_the_assessment_dict() -> None:
    from bluelamp.triage.api import router, triage

    out = triage(contact("he has a knife"))
    assert out["grade"] == 1 and out["route"] == "deploy"
    assert [r.path for r in router.routes] == ["/triage"]  # type: ignore[attr-defined]
