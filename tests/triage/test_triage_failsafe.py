"""Fail-safe triage (issue #10): floors, provisional proposals, answers that decide, and each failure
kind the issue found, with fresh examples written for these tests (not from any corpus)."""

from __future__ import annotations

from typing import Any

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.policy import load_policy
from bluelamp.triage.model import Assessment
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def run(narrative: str, channel: str = "999", **answers: bool) -> Assessment:
    body: dict[str, Any] = {"channel": channel, "narrative": narrative, "received_at": "2026-03-01T21:14:05Z"}
    if answers:
        body["answers"] = answers
    return assess(ContactIn.model_validate(body))


NO_DANGER = {"threat_to_life": False, "in_progress": False, "weapon": False, "suspect_present": False}

# ---------------------------------------------------------------- no evidence is never grade 4


@pytest.mark.parametrize("narrative", ["", "please help", "help me", "hello?"])
def test_a_999_call_with_nothing_established_is_a_provisional_emergency(narrative: str) -> None:
    got = run(narrative)
    assert (got.grade, got.route, got.provisional) == (1, "deploy", True), got.reasons
    assert got.questions and "Is anyone in danger right now?" in got.questions
    assert any("provisional" in r or "text model" in r for r in got.reasons)


@pytest.mark.parametrize(("channel", "grade", "route"), [("101", 3, "appointment"), ("online", 3, "appointment"),
                                                      ("chat", 2, "deploy")])
def test_other_channels_with_nothing_established_get_their_safe_grade(channel: str, grade: int, route: str) -> None:
    got = run("", channel)
    assert (got.grade, got.route, got.provisional) == (grade, route, True), got.reasons


def test_answers_that_rule_out_an_emergency_lift_the_999_default_but_not_to_grade_4() -> None:
    got = run("", "999", **NO_DANGER)
    assert (got.grade, got.route, got.provisional) == (3, "appointment", True), got.reasons


def test_positive_evidence_of_a_non_police_matter_is_grade_4_and_not_provisional() -> None:
    got = run("I think I left my purse on the number 12 bus this morning, can someone tell me if it was handed in",
              "101")
    assert (got.grade, got.route, got.provisional) == (4, "advice", False), got.reasons


# ---------------------------------------------------------------- floors


@pytest.mark.parametrize("answers", [{"in_progress": True}, {"suspect_present": True},
                                     {"in_progress": True, "suspect_present": True}])
def test_urgent_answers_always_send_someone(answers: dict[str, bool]) -> None:
    got = run("there's a problem at my mum's house", "101", **answers)
    assert got.grade <= 2 and got.route == "deploy", got.reasons
    assert any(r.startswith("at least grade 2") or r.startswith("grade ") for r in got.reasons)


def test_a_floor_says_why_in_the_reasons() -> None:
    floors = load_policy().doc("grading").floors
    assert floors and all(f.reason for f in floors)
    got = run("my neighbour's lad has gone missing, he's 15", "101")
    assert got.grade <= 2 and "missing_person" in got.flags, got.reasons


def test_the_intruder_upstairs_is_an_emergency_not_advice() -> None:
    got = run("there's somebody upstairs rummaging through the wardrobes, me and the kids are hiding in the "
              "downstairs toilet")
    assert got.grade == 1 and got.route == "deploy", got.reasons
    assert "suspect_present" in got.flags


# ---------------------------------------------------------------- silent and coded calls


def test_a_silent_call_where_the_caller_pressed_55_is_a_provisional_emergency() -> None:
    got = run("open line, nobody speaking, caller pressed 55 when prompted")
    assert (got.grade, got.provisional) == (1, True), got.reasons
    assert "Can you speak freely? If not, answer yes or no, or press 55." in got.questions


def test_a_coded_call_is_an_emergency() -> None:
    got = run("hi yes I want to order a large pizza... no he's in the kitchen... please hurry up with it")
    assert got.grade == 1 and got.provisional, got.reasons


def test_a_caller_who_denies_while_someone_shouts_is_an_emergency() -> None:
    got = run("no no everything's fine, don't send anyone - man shouting in the background 'put the phone down'")
    assert got.grade == 1, got.reasons


# ---------------------------------------------------------------- described, not named


@pytest.mark.parametrize(("narrative", "flag"), [
    ("my flatmate swallowed a whole box of her sleeping pills and I can't get her to wake up", "threat_to_life"),
    ("my little girl was on the swings two minutes ago and now she's gone, the park backs onto the river",
     "missing_person"),
    ("dad's 84 with dementia, he's let himself out in his slippers and it's minus three out there", "missing_person"),
    ("my partner's absolutely hammered and he's just got in the car with the baby, he's starting the engine", None),
    ("I can hear a lad screaming let me out from inside the lock-up garages", "threat_to_life"),
])
def test_descriptions_of_emergencies_are_graded_1(narrative: str, flag: str | None) -> None:
    got = run(narrative)
    assert got.grade == 1 and got.route == "deploy", got.reasons
    if flag:
        assert flag in got.flags, got.reasons


def test_a_courier_pick_up_about_to_happen_sends_officers() -> None:
    got = run("a man rang my nan saying he's from the police fraud team, a courier is coming to collect her "
              "cash in twenty minutes", "101")
    assert got.grade <= 2 and got.route == "deploy", got.reasons
    assert "exploitation" in got.flags


# ---------------------------------------------------------------- context words


def test_no_ones_hurt_raises_no_injury() -> None:
    got = run("someone reversed into my car in the Tesco car park, no one's hurt, we swapped details", "101")
    assert "injury" not in got.flags and got.grade == 4, got.reasons


def test_a_partner_taking_a_bank_card_is_abuse_not_report_fraud() -> None:
    got = run("my boyfriend took my bank card again and controls all my money, he won't let me see my friends",
              "101")
    assert got.route != "refer:report_fraud" and "domestic_abuse" in got.flags, got.reasons


def test_a_knife_assault_years_ago_is_not_an_emergency() -> None:
    got = run("I want to report that I was slashed with a knife by my cousin in 2018, I was too scared to say",
              "101")
    assert got.grade >= 3, got.reasons


def test_someone_still_inside_a_crashed_car_is_a_casualty_not_a_suspect() -> None:
    got = run("car's gone into a lamp post on the ring road and the driver's still inside, he isn't moving")
    assert "suspect_present" not in got.flags and got.grade == 1, got.reasons
    assert "road_traffic_collision" in got.flags


# ---------------------------------------------------------------- spelling, masking, text-speak


@pytest.mark.parametrize("narrative", [
    "he's got a knfie and he's waving it at the door",
    "sum1 tryna brk in my bk door rn pls",
    "hes screaming hes gonna f***ing kill me hes outside",
])
def test_misspelt_masked_and_text_speak_emergencies_are_graded_1(narrative: str) -> None:
    got = run(narrative, "chat")
    assert got.grade == 1, got.reasons


# ---------------------------------------------------------------- answers decide, both ways


def test_answers_raise_a_vague_contact_to_an_emergency() -> None:
    got = run("it's my neighbour again", "101", weapon=True, in_progress=True)
    assert got.grade == 1 and "weapon" in got.flags, got.reasons


def test_answers_set_aside_a_weapon_the_narrative_mentioned() -> None:
    named = run("he had a knife earlier, he's gone now")
    answered = run("he had a knife earlier, he's gone now", weapon=False, threat_to_life=False)
    assert "weapon" not in answered.flags and answered.grade > named.grade, (named.reasons, answered.reasons)


# ---------------------------------------------------------------- over-grading


@pytest.mark.parametrize(("narrative", "route"), [
    ("the people upstairs have had music on until 3am every night this week", "refer:council"),
    ("there's a big branch across the lane by the church, cars are going round it", "refer:highways"),
    ("I've been scammed on a marketplace site, paid 300 for a sofa that never came", "refer:report_fraud"),
    ("can I get an update on my crime reference 14/88812/26, nobody has called me back", "update_request"),
])
def test_plain_non_emergencies_are_not_lifted(narrative: str, route: str) -> None:
    got = run(narrative, "101")
    assert (got.grade, got.route) == (4, route), got.reasons


# ---------------------------------------------------------------- pleas, overdoses and codes (session 3)


@pytest.mark.parametrize(("narrative", "channel", "grade"), [
    ("hello is anyone there?? i need help now", "chat", 2),
    ("pls help quick, can you send someone now", "chat", 2),
    ("can i ask a question, please hurry", "101", 3),
])
def test_a_plea_for_help_is_never_settled_at_grade_4(narrative: str, channel: str, grade: int) -> None:
    got = run(narrative, channel)
    assert got.grade <= grade and got.provisional, (got.grade, got.route, got.reasons)
    assert any("asks for help" in r for r in got.reasons)


def test_too_few_words_are_no_evidence_for_the_model_to_route_to_grade_4() -> None:
    got = run("Need police.", "online")
    assert (got.grade, got.provisional) == (3, True), got.reasons
    assert not any(r.startswith("grade 4") and "text model" in r for r in got.reasons)


@pytest.mark.parametrize("narrative", [
    "my lad has swallowed his nans pills, about eight of them, hes gone drowsy",
    "i took my dads sleeping pills an hour ago i feel sick",
])
def test_someone_elses_tablets_taken_is_an_overdose_not_a_health_question(narrative: str) -> None:
    got = run(narrative, "chat")
    assert got.grade <= 2 and got.route == "deploy", got.reasons


def test_saving_tablets_to_take_later_is_a_suicide_risk() -> None:
    got = run("i have been stockpiling my tablets and i am going to take them all when everyone is out", "chat")
    assert "suicide_risk" in got.flags and got.grade <= 2, got.reasons


def test_ordering_food_to_an_address_with_him_beside_her_is_a_coded_call() -> None:
    got = run("hi yes id like to order food to flat 2 Mill Lane, hes next to me, quickly", "999")
    assert (got.grade, got.provisional) == (1, True), got.reasons


# ---------------------------------------------------------------- everyday problems rung in (session 5)


@pytest.mark.parametrize("narrative", [
    "the chippy gave me the order wrong twice and they're refusing to give me a refund",
    "my broadband has been down since Tuesday and nobody at the company picks up",
    "the uber never turned up and I'm stood outside the cinema, can you give me a lift",
    "the cash machine on the high street has kept my card",
])
def test_an_everyday_problem_is_advice_with_nothing_else_found(narrative: str) -> None:
    got = run(narrative, channel="101")
    assert (got.grade, got.route) == (4, "advice"), got.reasons
    assert any("not a police matter" in r for r in got.reasons)


def test_an_everyday_problem_with_danger_in_it_still_grades_on_the_danger() -> None:
    got = run("the takeaway got my order wrong and the owner has come out with a knife, he's at the counter now",
              channel="101")
    assert got.grade <= 2 and got.route == "deploy", got.reasons


def test_someone_stuck_in_a_burning_car_is_danger_to_life() -> None:
    got = run("there's a van alight in the lay-by and the driver's trapped in it, he's banging on the window")
    assert got.grade == 1 and "threat_to_life" in got.flags, got.reasons


def test_two_words_are_not_read_by_the_model() -> None:
    # too little text to read: the rules' channel default decides, not a reading of two words
    got = run("message 0", channel="chat")
    assert not any("text model" in r for r in got.reasons), got.reasons
