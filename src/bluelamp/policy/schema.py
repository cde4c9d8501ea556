"""Schemas of the policy documents; a file that does not match its schema stops start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from bluelamp.policy.loader import Policy


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Grade(Strict):
    number: int = Field(ge=1, le=4)
    name: str
    urban_target_min: float | None = None
    rural_target_min: float | None = None
    default_route: str

    def target_minutes(self, urban: bool) -> float | None:
        return self.urban_target_min if urban else self.rural_target_min


class GradesDoc(Strict):
    grades: list[Grade]

    @model_validator(mode="after")
    def _all_four(self) -> GradesDoc:
        if sorted(g.number for g in self.grades) != [1, 2, 3, 4]:
            raise ValueError("grades must define 1, 2, 3 and 4 exactly once")
        return self

    def get(self, number: int) -> Grade:
        return next(g for g in self.grades if g.number == number)


class Agency(Strict):
    id: str
    name: str
    kind: str  # co_responder, owner, safeguarding


class RoutesDoc(Strict):
    routes: list[str]
    agencies: list[Agency]

    def agency_ids(self) -> set[str]:
        return {a.id for a in self.agencies}


class Flag(Strict):
    id: str
    label: str
    vulnerability: bool = False  # a marker for the household check


class FlagsDoc(Strict):
    flags: list[Flag]

    def ids(self) -> list[str]:
        return [f.id for f in self.flags]

    def vulnerability_markers(self) -> set[str]:
        return {f.id for f in self.flags if f.vulnerability}


class ThrivePrompt(Strict):
    element: str
    prompt: str


class RcrpDoc(Strict):
    threshold: str
    police_attend_when: list[str]


class ThriveDoc(Strict):
    prompts: list[ThrivePrompt]
    right_care_right_person: RcrpDoc


class RepeatRule(Strict):
    window_days: int = Field(gt=0)
    min_earlier: int = Field(ge=1)


class MatchingDoc(Strict):
    repeat_caller: RepeatRule
    repeat_victim: RepeatRule
    household_window_days: int = Field(gt=0)


class ReassessmentDoc(Strict):
    at_attend_by: bool
    every_hours: float = Field(gt=0)


# --- triage: the narrative lexicon (indicators.yaml) and the grading rules (grading.yaml) ---


def _check_regex(pattern: str) -> str:
    import re

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


class GradingDoc(Strict):
    derive: list[DeriveRule]
    answers: dict[str, AnswerRule]
    urgent: list[UrgentRule]
    routes: list[RouteRule]
    fallback_route: str
    referrals: list[ReferralRule]
    risk: dict[int, str]


DOCUMENTS: dict[str, type[BaseModel]] = {
    "grades": GradesDoc,
    "routes": RoutesDoc,
    "flags": FlagsDoc,
    "thrive": ThriveDoc,
    "matching": MatchingDoc,
    "reassessment": ReassessmentDoc,
    "indicators": IndicatorsDoc,
    "grading": GradingDoc,
}
REQUIRED = ["grades", "routes", "flags", "thrive", "matching", "reassessment", "indicators", "grading"]

# Cross-document checks registered by contexts (name -> function raising ValueError).
CROSS_CHECKS: list[Any] = []


def cross_check(policy: Policy) -> None:
    from bluelamp.policy.loader import PolicyError

    routes = set(policy.routes.routes)
    for g in policy.grades.grades:
        if g.default_route not in routes:
            raise PolicyError(f"grades.yaml: grade {g.number} default_route {g.default_route!r} is not a route")
    for check in CROSS_CHECKS:
        try:
            check(policy)
        except ValueError as exc:
            raise PolicyError(str(exc)) from None


def _check_triage(policy: Policy) -> None:
    """Every name a grading rule uses is a flag, a signal or a derived fact; every route is known."""
    if "grading" not in policy.names or "indicators" not in policy.names:
        return
    grading: GradingDoc = policy.doc("grading")
    known = set(policy.flags.ids()) | policy.doc("indicators").names() | {d.fact for d in grading.derive}
    rules: list[Condition] = [*grading.derive, *grading.urgent, *grading.routes, *grading.referrals]
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
    for name, answer in grading.answers.items():
        if answer.flag not in policy.flags.ids():
            raise ValueError(f"grading.yaml: answer {name!r} raises unknown flag {answer.flag!r}")


CROSS_CHECKS.append(_check_triage)


# --- crime and victims (offences, outcomes, investigation, victims_code, dash, bureau) ---


class Offence(Strict):
    id: str
    name: str
    most_serious: bool = False  # its victims have enhanced rights under the Victims' Code


class OffenceGroup(Strict):
    """A Home Office recorded-crime offence group and the offences classified under it."""

    id: str
    name: str
    offences: list[Offence] = Field(min_length=1)


class OffencesDoc(Strict):
    groups: list[OffenceGroup] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> OffencesDoc:
        ids = [o.id for g in self.groups for o in g.offences]
        if len(ids) != len(set(ids)):
            raise ValueError("offence ids must be unique across groups")
        return self

    def find(self, offence_id: str) -> tuple[OffenceGroup, Offence] | None:
        for g in self.groups:
            for o in g.offences:
                if o.id == offence_id:
                    return g, o
        return None


class Outcome(Strict):
    """A Home Office outcome type; `evidence` names what must be recorded before a crime closes on it."""

    code: str
    name: str
    evidence: list[str] = Field(default_factory=list)
    needs_suspect: bool = False
    supervisor_approval: bool = True
    bureau_tasks: list[str] = Field(default_factory=list)


class OutcomesDoc(Strict):
    evidence_fields: dict[str, str]  # evidence key -> what it means
    min_evidence_chars: int = Field(ge=1, default=10)
    outcomes: list[Outcome] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> OutcomesDoc:
        codes = [o.code for o in self.outcomes]
        if len(codes) != len(set(codes)):
            raise ValueError("outcome codes must be unique")
        for o in self.outcomes:
            unknown = [e for e in o.evidence if e not in self.evidence_fields]
            if unknown:
                raise ValueError(f"outcome {o.code}: unknown evidence field {unknown[0]!r}")
        return self

    def get(self, code: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.code == code), None)


class PlanElement(Strict):
    """An element an inspector looks for in an investigation plan, and its weight in the score."""

    id: str
    label: str
    weight: int = Field(ge=0)
    min_chars: int = Field(ge=1, default=15)
    applies_when: str | None = None  # suspect_known, domestic, has_victim; None: always
    may_be_not_applicable: bool = True
    missing: str  # the reason shown when it is missing


class ReviewRule(Strict):
    first_within_hours: float = Field(gt=0)
    then_every_days: float = Field(gt=0)


class InvestigationDoc(Strict):
    recording_hours: float = Field(gt=0)  # NCRS: record within 24 h of the report
    recording_warn_hours: float = Field(ge=0)
    plan_within_hours: float = Field(gt=0)
    elements: list[PlanElement] = Field(min_length=1)
    quality_bands: dict[str, int]  # band -> minimum score, e.g. good: 80
    no_actions_penalty: int = Field(ge=0, default=0)
    reviews: dict[str, ReviewRule]  # by risk: high, medium, low
    escalate_after_hours: float = Field(gt=0)  # a missed review goes up a level after this long
    min_direction_chars: int = Field(ge=1)
    sweep_every_minutes: int = Field(gt=0)

    @model_validator(mode="after")
    def _risks(self) -> InvestigationDoc:
        if set(self.reviews) != {"high", "medium", "low"}:
            raise ValueError("reviews must define high, medium and low")
        return self


class Right(Strict):
    number: int = Field(ge=1, le=12)
    title: str


class Right6Rule(Strict):
    standard_working_days: int = Field(ge=1)
    enhanced_working_days: int = Field(ge=1)
    warn_before_hours_standard: float = Field(ge=0)
    warn_before_hours_enhanced: float = Field(ge=0)
    events: dict[str, str]  # event id -> label
    holiday_country: str
    holiday_subdiv: str


class SupportService(Strict):
    id: str
    name: str


class VictimsCodeDoc(Strict):
    rights: list[Right]
    enhanced_categories: dict[str, str]
    needs: dict[str, str]  # needs-assessment question id -> question
    contact_methods: list[str]
    default_contact_every_days: int = Field(gt=0)
    right6: Right6Rule
    support_services: list[SupportService]
    templates: dict[str, str]  # letter/message per Right 6 event or 'outcome', with {placeholders}

    @model_validator(mode="after")
    def _twelve(self) -> VictimsCodeDoc:
        if sorted(r.number for r in self.rights) != list(range(1, 13)):
            raise ValueError("rights must be numbered 1 to 12, once each")
        return self


class DashQuestion(Strict):
    id: str
    text: str


class DashDoc(Strict):
    """DASH risk identification checklist: questions, thresholds and escalation (versioned data)."""

    version: str
    questions: list[DashQuestion]
    answers: list[str]  # yes, no, dont_know
    high_at: int = Field(ge=1)
    medium_at: int = Field(ge=1)
    escalation_incidents: int = Field(ge=2)
    escalation_window_days: int = Field(gt=0)
    escalation_level: str
    marac_levels: list[str]

    @model_validator(mode="after")
    def _valid(self) -> DashDoc:
        ids = [q.id for q in self.questions]
        if len(ids) != len(set(ids)):
            raise ValueError("DASH question ids must be unique")
        if not self.medium_at < self.high_at <= len(self.questions):
            raise ValueError("DASH thresholds must satisfy medium_at < high_at <= number of questions")
        if "yes" not in self.answers:
            raise ValueError("DASH answers must include 'yes'")
        return self


class TaskType(Strict):
    id: str
    label: str
    minutes_saved: float = Field(ge=0)
    due_hours: float = Field(gt=0)
    created_on: list[str] = Field(default_factory=list)  # events that create it (not `on`: YAML 1.1 reads it as true)


class BureauDoc(Strict):
    task_types: list[TaskType]

    def get(self, task_id: str) -> TaskType | None:
        return next((t for t in self.task_types if t.id == task_id), None)

    def for_event(self, event: str) -> list[TaskType]:
        return [t for t in self.task_types if event in t.created_on]


DOCUMENTS.update({
    "offences": OffencesDoc, "outcomes": OutcomesDoc, "investigation": InvestigationDoc,
    "victims_code": VictimsCodeDoc, "dash": DashDoc, "bureau": BureauDoc,
})


def _check_crime(policy: Policy) -> None:
    """Outcome bureau tasks are known task types."""
    if "outcomes" not in policy.names or "bureau" not in policy.names:
        return
    bureau: BureauDoc = policy.doc("bureau")
    for o in policy.doc("outcomes").outcomes:
        for t in o.bureau_tasks:
            if bureau.get(t) is None:
                raise ValueError(f"outcomes.yaml: outcome {o.code} names unknown bureau task {t!r}")


CROSS_CHECKS.append(_check_crime)
