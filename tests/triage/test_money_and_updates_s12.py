"""Routes for money and for news of a case (issue #10, session 12), fresh wordings of our own.

Money paid up front with the other side gone is a fraud for Report Fraud; a consumer or money dispute the
caller asks about is a civil matter (advice); a scam message nobody answered is advice; "I reported it and
nobody has been in touch" is an update request.
"""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def _route(text: str, channel: str = "101") -> str:
    got = assess(ContactIn.model_validate({"channel": channel, "narrative": text, "received_at": "2026-03-01T21:14:05Z"}))
    assert got.grade == 4, (got.grade, got.reasons)
    return got.route


@pytest.mark.parametrize("text", [
    "put down a £300 deposit on a campervan hire for august and the website's been taken down, the number's dead",
    "I sent a lady £250 up front for a wedding dress off Instagram and she's blocked me everywhere",
    "paid a deposit for a kitten on gumtree, went to pick it up today and the man's not answering and the ad's gone",
])
def test_money_paid_up_front_and_the_seller_gone_is_for_report_fraud(text: str) -> None:
    assert _route(text) == "refer:report_fraud"


@pytest.mark.parametrize("text", [
    "the plasterer did about half the job and went on holiday, is that fraud or is it a civil thing",
    "my cousin borrowed 500 quid for his rent in March and keeps saying next week",
    "bought a motorbike off a bloke, it broke down a week later and he says it was sold as seen",
])
def test_a_money_dispute_is_a_civil_matter(text: str) -> None:
    assert _route(text) == "advice"


@pytest.mark.parametrize("text", [
    "had a text saying my tax refund is ready with a link, I didn't click it, just thought you should know",
    "someone keeps ringing saying my broadband will be cut off, I never give them anything, I always hang up",
])
def test_a_scam_nobody_answered_is_advice(text: str) -> None:
    assert _route(text, "chat") == "advice"


@pytest.mark.parametrize("text", [
    "I reported my tools nicked out the van a fortnight ago and nobody has contacted me since",
    "Report Fraud said my report was passed to your force, reference NFRC2699120, who is dealing with it?",
])
def test_news_of_a_reported_case_is_an_update_request(text: str) -> None:
    assert _route(text) == "update_request"


def test_an_older_victim_of_a_money_dispute_is_not_left_as_civil() -> None:
    # the civil reading gives way when the words name an older or disabled victim: a rogue trader is not ruled
    # out (an age alone is read later, by the grader, and does not reach this rule)
    got = assess(ContactIn.model_validate({"channel": "101", "received_at": "2026-03-01T21:14:05Z",
                                           "narrative": "my elderly neighbour, a man did half the job on her roof and took four grand, is that fraud or civil"}))
    assert got.route != "advice"


@pytest.mark.parametrize("text", [
    "my late uncle left a revolver in a shoebox, how do I hand it in without getting in trouble",
    "is it actually illegal to keep a machete in the shed for the brambles",
    "do I need a licence for my grandad's old rifle, it doesn't fire",
])
def test_a_question_about_the_law_on_weapons_is_advice(text: str) -> None:
    assert _route(text, "chat") == "advice"


def test_a_question_beside_a_weapon_now_is_an_emergency() -> None:
    got = assess(ContactIn.model_validate({"channel": "999", "received_at": "2026-03-01T21:14:05Z",
                                           "narrative": "is it illegal for him to have a gun? he's outside my house right now waving it"}))
    assert got.grade == 1
