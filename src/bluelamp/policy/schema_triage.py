"""Schemas of the triage policy documents (registered in `schema.DOCUMENTS`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from bluelamp.policy.schema import CROSS_CHECKS, DOCUMENTS, REQUIRED, Strict

if TYPE_CHECKING:
    from bluelamp.policy.loader import Policy

# --- triage: the narrative lexicon (indicators.yaml) and the grading rules (grading.yaml) ---


def _check_regex(pattern: str) -> str:

    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc}): {pattern!r}") from None
    return pattern


class NegationCue(Strict):
    """A word that negates a mention up to `max_words` words after it, in the same clause."""

    pattern: str
    max_words: int = Field(ge=0, le=10)
    crosses_subject: bool = False  # "don't think he has a knife": still negated past "he has"

    @model_validator(mode="after")
    def _valid(self) -> NegationCue:
        _check_regex(self.pattern)
        return self


class NegationRules(Strict):
    cues: list[NegationCue]
    not_negation: str  # what follows a cue and makes it not a negation ("not sure", "won't stop")
    new_subject: str  # a fresh subject after the cue ends its reach ("can't breathe he has a knife")
    clause_break: str
    after: str  # right after a mention, negates it ("knife? no")

    @model_validator(mode="after")
    def _valid(self) -> NegationRules:
        for p in (self.not_negation, self.new_subject, self.clause_break, self.after):
            _check_regex(p)
        return self


class Indicator(Strict):
    """Words that evidence a fact: a contract flag (by its id) or a signal the grading rules use."""

    id: str
    patterns: list[str] = Field(min_length=1)
    raises: list[str] = Field(default_factory=list)
    label: str | None = None
    reason: str = "{label} mentioned: '{match}'"
    negatable: bool = True

    @model_validator(mode="after")
    def _valid(self) -> Indicator:
        for p in self.patterns:
            _check_regex(p)
        return self


class Suppression(Strict):
    by: list[str]
    clears: list[str]
    unless: list[str] = Field(default_factory=list)


class IndicatorsDoc(Strict):
    normalise: dict[str, str]  # whole words rewritten before matching (chat spellings)
    unmask: dict[str, str] = Field(default_factory=dict)  # "f***ing" -> "fucking": first letter -> stem
    drop: list[str] = Field(default_factory=list)  # intensifiers removed after normalising
    # figures of speech that are no danger ("the noise is killing me", "dying to know"): regexes removed
    # after the intensifiers, so that neither the rules nor the model read them as a threat
    figurative: list[str] = Field(default_factory=list)
    negation: NegationRules
    indicators: list[Indicator]
    suppress: list[Suppression] = Field(default_factory=list)

    def names(self) -> set[str]:
        return {i.id for i in self.indicators} | {r for i in self.indicators for r in i.raises}


class Condition(Strict):
    """True when every `all` fact, at least one `any` fact (if given) and no `unless` fact holds."""

    all: list[str] = Field(default_factory=list)
    any: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)

    def holds(self, facts: set[str] | frozenset[str]) -> bool:
        return (all(f in facts for f in self.all) and (not self.any or any(f in facts for f in self.any))
                and not any(f in facts for f in self.unless))

    def names(self) -> set[str]:
        return set(self.all) | set(self.any) | set(self.unless)


class DeriveRule(Condition):
    fact: str


class AnswerRule(Strict):
    flag: str
    clears: list[str] = Field(default_factory=list)
    removes_flag: bool = True


class UrgentRule(Condition):
    grade: int = Field(ge=1, le=2)
    reason: str


class RouteRule(Condition):
    route: str
    grade: int = Field(ge=3, le=4)
    reason: str
    right_care_right_person: bool = False  # also unless any thrive police_attend_when fact


class ReferralRule(Condition):
    agency: str
    routes: list[str] = Field(default_factory=list)  # only when the route is one of these


class FloorRule(Condition):
    """Whenever the condition holds, the grade is at most `grade` (at least this urgent)."""

    grade: int = Field(ge=1, le=3)
    reason: str


class HeldRule(Condition):
    """Positive evidence, found by the rules, that a contact is not an emergency now (a partner's matter, a
    threat sent by message): while the condition holds, the text model lifts the grade only at its surer
    `held` threshold (the model's `floor.held`), not at its sensitive floors."""

    reason: str


class ChannelDefault(Strict):
    grade: int = Field(ge=1, le=3)  # never 4: grade 4 needs evidence
    reason: str


class SetAsideRule(Condition):
    """The rules' reading of the words that sets aside a flag only the text model read ("a bottle of wine" is a
    drink, not a weapon): while the condition holds, the model's `flag` is not shown and not graded on."""

    flag: str
    reason: str


class NoEvidence(Strict):
    """The safe, provisional proposal when the narrative evidences nothing (per channel)."""

    by_channel: dict[str, ChannelDefault]
    lifted_by: list[str]  # answer keys: when every one is answered "no", `answered` applies
    answered: ChannelDefault


class GradingDoc(Strict):
    derive: list[DeriveRule]
    answers: dict[str, AnswerRule]
    urgent: list[UrgentRule]
    routes: list[RouteRule]
    fallback_route: str
    referrals: list[ReferralRule]
    risk: dict[int, str]
    floors: list[FloorRule] = Field(default_factory=list)
    unclear: list[str] = Field(default_factory=list)
    no_evidence: NoEvidence | None = None
    held: list[HeldRule] = Field(default_factory=list)
    set_aside: list[SetAsideRule] = Field(default_factory=list)
    # answer keys whose "no" makes the text model's reading of the words give way (session 12; the keys are
    # policy, set in grading.yaml: with none, only an answer contradicting what was read quiets the model)
    model_gives_way_to: list[str] = Field(default_factory=list)


class Question(Strict):
    text: str = Field(min_length=1)
    answer: str | None = None  # a contract answer key this question settles


class QuestionKind(Condition):
    id: str
    questions: list[Question] = Field(min_length=1)


class QuestionsDoc(Strict):
    """Key questions per kind of incident (questions.yaml)."""

    always: list[Question] = Field(default_factory=list)
    provisional: list[Question] = Field(default_factory=list)
    kinds: list[QuestionKind] = Field(default_factory=list)


DOCUMENTS.update({"indicators": IndicatorsDoc, "grading": GradingDoc, "questions": QuestionsDoc})
REQUIRED.extend(["indicators", "grading"])

def _check_triage(policy: Policy) -> None:
    """Every name a grading rule uses is a flag, a signal or a derived fact; every route is known."""
    if "grading" not in policy.names or "indicators" not in policy.names:
        return
    grading: GradingDoc = policy.doc("grading")
    channel_facts = {f"channel_{c}" for c in ("999", "101", "chat", "online")}
    known = (set(policy.flags.ids()) | policy.doc("indicators").names() | {d.fact for d in grading.derive}
             | channel_facts)
    rules: list[Condition] = [*grading.derive, *grading.urgent, *grading.routes, *grading.referrals,
                              *grading.floors, *grading.held, *grading.set_aside]
    if "questions" in policy.names:
        rules.extend(policy.doc("questions").kinds)
    for name in grading.unclear:
        if name not in known:
            raise ValueError(f"grading.yaml: unknown fact {name!r} in unclear")
    for rule in rules:
        unknown = sorted(rule.names() - known)
        if unknown:
            raise ValueError(f"grading.yaml: unknown fact {unknown[0]!r} in a rule")
    agencies = policy.routes.agency_ids()
    for route in [r.route for r in grading.routes] + [grading.fallback_route]:
        if route not in policy.routes.routes and not (route.startswith("refer:") and route[6:] in agencies):
            raise ValueError(f"grading.yaml: unknown route {route!r}")
    for ref in grading.referrals:
        if ref.agency not in agencies:
            raise ValueError(f"grading.yaml: unknown agency {ref.agency!r}")
    if grading.no_evidence is not None:
        for key in grading.no_evidence.lifted_by:
            if key not in grading.answers:
                raise ValueError(f"grading.yaml: no_evidence.lifted_by names unknown answer {key!r}")
    for rule in grading.set_aside:
        if rule.flag not in policy.flags.ids():
            raise ValueError(f"grading.yaml: set_aside names unknown flag {rule.flag!r}")
    for key in grading.model_gives_way_to:
        if key not in grading.answers:
            raise ValueError(f"grading.yaml: model_gives_way_to names unknown answer {key!r}")
    for name, answer in grading.answers.items():
        if answer.flag not in policy.flags.ids():
            raise ValueError(f"grading.yaml: answer {name!r} raises unknown flag {answer.flag!r}")


CROSS_CHECKS.append(_check_triage)

