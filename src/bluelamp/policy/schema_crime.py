"""Schemas of the crime and victims policy documents (registered in `schema.DOCUMENTS`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from bluelamp.policy.schema import CROSS_CHECKS, DOCUMENTS, Strict

if TYPE_CHECKING:
    from bluelamp.policy.loader import Policy

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
    needs_suspect: bool = False  # only with an identified suspect recorded on the crime
    no_suspect: bool = False  # "suspect not identified": refused when a suspect is identified
    victim_withdrawal: bool = False  # the victim does not support action: on a domestic crime, ELP first
    supervisor_approval: bool = True
    bureau_tasks: list[str] = Field(default_factory=list)
    right6_event: str | None = None  # the Right 6 event its decision is (charged, out_of_court_disposal, ...)


class OutcomesDoc(Strict):
    evidence_fields: dict[str, str]  # evidence key -> what it means
    min_evidence_chars: int = Field(ge=1, default=10)
    # On a domestic crime, a victim-withdrawal outcome needs this plan element written (not "not applicable").
    withdrawal_needs_plan_element: str | None = "evidence_led_prosecution"
    outcomes: list[Outcome] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> OutcomesDoc:
        codes = [o.code for o in self.outcomes]
        if len(codes) != len(set(codes)):
            raise ValueError("outcome codes must be unique")
        for o in self.outcomes:
            if o.needs_suspect and o.no_suspect:
                raise ValueError(f"outcome {o.code}: needs_suspect and no_suspect contradict each other")
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
    not_applicable_unless: list[str] = Field(default_factory=list)  # facts under which it always applies
    missing: str  # the reason shown when it is missing


class ReviewRule(Strict):
    first_within_hours: float = Field(gt=0)
    then_every_days: float = Field(gt=0)


class InvestigationDoc(Strict):
    recording_hours: float = Field(gt=0)  # NCRS: record within 24 h of the report
    recording_warn_hours: float = Field(ge=0)
    restart_slack_minutes: float = Field(ge=0, default=1)  # a reported_at this much after the contact is no restart
    restart_reason_min_chars: int = Field(ge=1, default=10)
    plan_within_hours: float = Field(gt=0)
    elements: list[PlanElement] = Field(min_length=1)
    quality_bands: dict[str, int]  # band -> minimum score, e.g. good: 80
    no_actions_penalty: int = Field(ge=0, default=0)
    min_not_applicable_chars: int = Field(ge=1, default=15)  # a reason shorter than this earns nothing
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
    # end_of_day: due by the end of the n-th working day after the event (the usual reading of
    # "within n working days"); same_time: the same local clock time on the n-th working day.
    day_rule: Literal["end_of_day", "same_time"] = "end_of_day"
    holiday_country: str
    holiday_subdiv: str


class SupportService(Strict):
    id: str
    name: str


class EnhancedRules(Strict):
    """Which facts give a victim enhanced rights automatically, and the category each gives."""

    domestic_abuse: str = "most_serious_crime"
    hate_crime: str = "most_serious_crime"
    under_age: int = Field(ge=0, default=18)
    under_age_category: str = "vulnerable"
    needs_qualifying: dict[str, str] = Field(default_factory=dict)  # needs question -> category
    needs_no_answers: list[str] = Field(default_factory=list)
    repeat_victim_flag: str = "repeat_victim"
    repeat_crimes: int = Field(ge=2, default=2)
    repeat_window_days: int = Field(gt=0, default=365)
    repeat_category: str = "persistently_targeted"
    override_roles: list[str] = Field(default_factory=lambda: ["victim_care", "supervisor"])


class TeamContact(Strict):
    """How a victim reaches an investigation team: the team's line, never an officer's own details."""

    name: str
    phone: str | None = None
    email: str | None = None
    hours: str | None = None


class PortalRules(Strict):
    """The victim's own page (/my-case): access codes, sessions, throttling, what is hidden online."""

    code_valid_days: int = Field(gt=0, le=3650, default=180)
    session_idle_minutes: int = Field(gt=0, le=240, default=20)
    session_max_minutes: int = Field(gt=0, le=1440, default=120)
    # wrong codes: per crime reference and per client address, in a sliding window, then a lock
    reference_failures: int = Field(gt=0, default=5)
    address_failures: int = Field(gt=0, default=20)
    failure_window_minutes: int = Field(gt=0, default=15)
    # every sign-in checks at least this many code hashes, so timing does not tell how many victims a
    # crime has, or whether the reference exists
    hashes_checked: int = Field(ge=1, le=8, default=2)
    call_request_working_days: int = Field(ge=0, le=10, default=1)
    sensitive_offences: list[str] = Field(default_factory=list)  # never online unless victim care enables
    team_contacts: dict[str, TeamContact] = Field(default_factory=dict)
    default_contact: TeamContact = Field(default_factory=lambda: TeamContact(
        name="Crime enquiries", phone="101", hours="any time: quote your crime reference"))


class VictimsCodeDoc(Strict):
    portal: PortalRules = Field(default_factory=PortalRules)
    rights: list[Right]
    enhanced_categories: dict[str, str]
    enhanced_rules: EnhancedRules = Field(default_factory=EnhancedRules)
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
        e = self.enhanced_rules
        given = [e.domestic_abuse, e.hate_crime, e.under_age_category, e.repeat_category, *e.needs_qualifying.values()]
        unknown = [c for c in given if c not in self.enhanced_categories]
        if unknown:
            raise ValueError(f"enhanced_rules: unknown category {unknown[0]!r}")
        if any(q not in self.needs for q in e.needs_qualifying):
            raise ValueError("enhanced_rules.needs_qualifying names an unknown needs question")
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
    repeat_marac_window_days: int = Field(gt=0, default=365)  # a new incident this soon after a MARAC referral
    count_domestic_contacts: bool = True  # escalation counts domestic call-outs, not only recorded crimes
    domestic_contact_flag: str = "domestic_abuse"
    crime_risk_for_level: dict[str, str] = Field(default_factory=lambda: {"high": "high"})  # DASH level -> review risk

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
    events = policy.doc("victims_code").right6.events if "victims_code" in policy.names else {}
    for o in policy.doc("outcomes").outcomes:
        for t in o.bureau_tasks:
            if bureau.get(t) is None:
                raise ValueError(f"outcomes.yaml: outcome {o.code} names unknown bureau task {t!r}")
        if o.right6_event is not None and o.right6_event not in events:
            raise ValueError(f"outcomes.yaml: outcome {o.code} names unknown Right 6 event {o.right6_event!r}")


CROSS_CHECKS.append(_check_crime)

