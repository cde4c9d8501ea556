"""Triage use cases: assess a contact, screen live-chat text. Pure functions: no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from bluelamp import clock
from bluelamp.contact.model import ContactIn
from bluelamp.policy import Policy, load_policy
from bluelamp.triage import thrive
from bluelamp.triage.grading import HISTORY_FLAGS, Grader
from bluelamp.triage.model import Assessment, Screening
from bluelamp.triage.narrative import Lexicon
from bluelamp.triage.questions import Questioner
from bluelamp.triage.textmodel import TextReader, load_reader

DEPLOYING_ROUTES = ("deploy", "appointment")


@dataclass(frozen=True)
class _Engine:
    lexicon: Lexicon
    grader: Grader
    labels: dict[str, str]
    markers: set[str]
    questioner: Questioner
    reader: TextReader | None


@lru_cache(maxsize=8)
def _engine(policy: Policy) -> _Engine:
    labels = {f.id: f.label.lower() for f in policy.flags.flags}
    return _Engine(Lexicon(policy.doc("indicators"), labels), Grader(policy), labels,
                   policy.flags.vulnerability_markers(), Questioner(policy),
                   load_reader(policy, labels) if _USE_MODEL else None)


def disable_text_model() -> None:
    """Rules only from now on in this process (for comparisons in `triage.evaluate --rules-only`)."""
    _engine.cache_clear()
    global _USE_MODEL
    _USE_MODEL = False


_USE_MODEL = True


def assess(contact: ContactIn, *, policy: Policy | None = None, now: datetime | None = None,
           history_flags: Iterable[str] = ()) -> Assessment:
    """THRIVE-assess a contact: flags, grade, route, attend-by time, referrals and reasons.

    `history_flags` (repeat_victim, repeat_caller) come from the contact's person matching; they add
    reasons and can raise a crime from telephone resolution to an appointment (grading.yaml).
    """
    policy = policy or load_policy()
    engine = _engine(policy)
    text = engine.lexicon.normalise(contact.narrative)
    findings = engine.lexicon.analyse_normalised(text)
    learned = engine.reader.read(text, findings, contact.channel) if engine.reader is not None else None
    answers = contact.answers.model_dump(exclude_none=True)
    decision = engine.grader.decide(findings, answers, [f for f in history_flags if f in HISTORY_FLAGS],
                                    channel=contact.channel, learned=learned)
    grade = policy.grades.get(decision.grade)
    attend_by = None
    if decision.route in DEPLOYING_ROUTES:
        target = grade.target_minutes(contact.is_urban)
        if target is not None:
            base = contact.received_at or now or clock.now()
            attend_by = clock.as_utc(base).astimezone(UTC) + timedelta(minutes=target)
    risk = engine.grader.doc.risk.get(decision.grade, "low")
    return Assessment(
        grade=decision.grade,
        grade_name=grade.name,
        route=decision.route,
        flags=list(decision.flags),
        attend_by=attend_by,
        thrive=thrive.build(decision, engine.labels, engine.markers, engine.grader.agency_names, risk),
        referrals=list(decision.referrals),
        reasons=list(decision.reasons),
        policy_version=policy.version,
        provisional=decision.provisional,
        questions=engine.questioner.open_questions(decision, answers),
    )


def screen_text(text: str, prior_flags: Iterable[str] = (), *, policy: Policy | None = None) -> Screening:
    """Screen live-chat text (with flags from earlier messages): flags, suggested grade, emergency or not.

    An emergency is a grade 1 finding: a threat to life or an emergency in progress. Repeat flags are
    never raised here (they need history).
    """
    policy = policy or load_policy()
    engine = _engine(policy)
    normalised = engine.lexicon.normalise(text)
    findings = engine.lexicon.analyse_normalised(normalised)
    prior = frozenset(f for f in prior_flags if f not in HISTORY_FLAGS)
    if prior:
        findings = type(findings)(findings.facts | prior, findings.mentions)
    learned = None
    if engine.reader is not None:
        learned = engine.reader.read(normalised, findings, "chat")
    decision = engine.grader.decide(findings, {}, channel="chat", learned=learned)
    return Screening(
        flags=list(decision.flags), grade=decision.grade, route=decision.route,
        is_emergency=decision.grade == 1, reasons=list(decision.reasons), policy_version=policy.version,
    )
