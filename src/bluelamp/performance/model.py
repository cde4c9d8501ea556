"""Pure rules of the performance context: the catalogue of measures, targets, red/amber/green,
trend, the small-number mark, public suppression and the period rule. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

SECTIONS = (
    ("contact", "Call handling"),
    ("risk", "Risk and vulnerability"),
    ("grading", "Grading and routing"),
    ("response", "Deployment and response"),
    ("crime", "Crime recording and investigation"),
    ("victims", "Victims"),
    ("outcomes", "Outcomes and the bureau"),
)
MAX_PERIOD_DAYS = 3 * 366
DEFAULT_MIN_RECORDS = 30
DEFAULT_SUPPRESS_BELOW = 10


class PeriodError(ValueError):
    """A bad period or filter; `field` names the query parameter at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Reference:
    """A published line to compare with (a national standard or a national figure)."""

    label: str
    value: float
    source: str


@dataclass(frozen=True)
class Spec:
    """One measure: what it is, its unit, which way is better, its target and amber band.

    `unit` is `share` (0..1 of the records behind it), `seconds` (a mean), `count` or `hours`.
    `amber` is how far short of the target (in the measure's unit) is still amber rather than red.
    """

    key: str
    label: str
    section: str
    unit: str
    definition: str
    direction: str | None = "higher"  # higher, lower, or None (context only: no RAG)
    target: float | None = None
    amber: float = 0.05
    references: tuple[Reference, ...] = ()
    public: bool = False
    no_data_reason: str | None = None  # for a measure whose records bluelamp does not hold


NATIONAL_999 = (
    Reference("national standard: 90% within 10 s", 0.90, "Home Office 999 tables; police reform plan 2026"),
    Reference("England and Wales when the tables began (Nov 2021-Apr 2022): 71%", 0.71,
              "Home Office press release, 1 June 2022 (uk-999-answer-time-benchmarks)"),
)
NATIONAL_999_MEAN = (
    Reference("England and Wales when the tables began: mean 16.1 s", 16.1,
              "Home Office press release, 1 June 2022 (uk-999-answer-time-benchmarks)"),
)

CATALOGUE: tuple[Spec, ...] = (
    Spec("call_999_within_10s", "999 calls answered within 10 s", "contact", "share",
         "999 contacts answered (answered_at set) whose answered_at - received_at is at most 10 s, "
         "as a share of 999 contacts answered.", target=0.90, amber=0.05, references=NATIONAL_999, public=True),
    Spec("call_999_mean_answer_s", "999 mean answer time", "contact", "seconds",
         "Mean of answered_at - received_at over answered 999 contacts, in seconds.",
         direction="lower", target=10.0, amber=6.0, references=NATIONAL_999_MEAN, public=True),
    Spec("call_101_mean_wait_s", "101 average wait", "contact", "seconds",
         "Mean of answered_at - received_at over answered 101 contacts, in seconds.",
         direction="lower", target=120.0, amber=60.0, public=True),
    Spec("call_101_abandoned", "101 calls abandoned", "contact", "share",
         "Share of 101 calls the caller abandoned before an answer.", direction="lower", target=0.10,
         no_data_reason="abandoned 101 calls never become contacts: see the Calls panel, counted from the "
                        "phone system (call events and hourly reports)"),
    Spec("chat_mean_wait_s", "Chat average wait", "contact", "seconds",
         "Mean of answered_at - queued_at over answered chats started in the period, in seconds.",
         direction="lower", target=120.0, amber=60.0),
    Spec("chat_abandoned", "Chats abandoned", "contact", "share",
         "Closed chats that were queued and never answered, as a share of closed chats started in the period.",
         direction="lower", target=0.10, amber=0.05),
    Spec("thrive_recorded", "THRIVE recorded (automatic for live contacts)", "risk", "share",
         "Contacts whose stored assessment holds a THRIVE risk level, as a share of contacts. Live contacts get "
         "one from triage when recorded, so this is 100% by construction for them; it tells imported or "
         "converted records apart, not whether a handler reviewed the assessment.",
         target=1.0, amber=0.02),
    Spec("repeat_victim_checked", "Repeat-victim check (automatic)", "risk", "share",
         "Contacts with an identified person (caller or anyone named), so that the automatic 12-month "
         "repeat-victim check ran, as a share of contacts (inferred from person matching, not a check a "
         "person confirmed).", target=0.95, amber=0.05),
    Spec("household_checked", "Household check (automatic)", "risk", "share",
         "Contacts with an identified person with an address, so that the automatic household check of "
         "others at the address ran, as a share of contacts (inferred, not a check a person confirmed).", target=0.90, amber=0.10),
    Spec("vulnerability_identified", "Vulnerability identified", "risk", "share",
         "Contacts carrying at least one vulnerability flag (policy flags.yaml), as a share of contacts. "
         "Context, not a target.", direction=None),
    Spec("grade_1", "Graded 1 (emergency)", "grading", "share",
         "Decided contacts graded 1, as a share of decided contacts.", direction=None),
    Spec("grade_2", "Graded 2 (priority)", "grading", "share",
         "Decided contacts graded 2, as a share of decided contacts.", direction=None),
    Spec("grade_3", "Graded 3 (scheduled)", "grading", "share",
         "Decided contacts graded 3, as a share of decided contacts.", direction=None),
    Spec("grade_4", "Graded 4 (resolve without deployment)", "grading", "share",
         "Decided contacts graded 4, as a share of decided contacts.", direction=None),
    Spec("downgraded", "Downgraded from the proposal", "grading", "share",
         "Decided or pending contacts whose handler's decision reduces the response triage proposed (a higher "
         "grade number, a route that stops sending officers or leaves deploy, or a later attend-by: "
         "policy/controls.py), as a share of decided or pending contacts.", direction=None),
    Spec("downgrade_approved", "Downgrades approved by a supervisor", "grading", "share",
         "Downgrades with a supervisor's approval recorded, as a share of downgrades (decided and pending).",
         target=1.0, amber=0.02),
    Spec("routed_to_partner", "Routed to a partner agency", "grading", "share",
         "Contacts whose route is refer:AGENCY, as a share of contacts.", direction=None),
    Spec("attendance_1", "Grade 1 attended within target", "response", "share",
         "Grade 1 incidents whose first arrival was by attend_by (15 min urban, 20 rural), as a share of "
         "grade 1 incidents attended (the response measures, CONTRACT.md).", target=0.90, public=True),
    Spec("attendance_2", "Grade 2 attended within target", "response", "share",
         "Grade 2 incidents arriving within 60 min, as a share of grade 2 incidents attended.",
         target=0.85, public=True),
    Spec("attendance_3", "Grade 3 attended by appointment", "response", "share",
         "Grade 3 incidents arriving by the appointment (at most 48 h), as a share of those attended.",
         target=0.85, public=True),
    Spec("incident_downgraded", "Incidents downgraded after the call", "grading", "share",
         "Incidents received in the period (grades 1 to 3) downgraded on the board after the call (a regrade to "
         "a higher grade number, which needs a supervisor), as a share of incidents received. The attendance "
         "measures keep the highest grade held before arrival.", direction=None),
    Spec("crime_recorded_24h", "Crimes recorded within 24 h", "crime", "share",
         "Crimes reported in the period recorded by their NCRS due time (reported + 24 h), as a share of "
         "crimes reported whose clock has settled (recorded, or past its due time); an unrecorded crime past "
         "due counts as not within, one still inside its 24 hours is not yet counted.", target=0.95, public=True),
    Spec("crime_with_plan", "Crimes with a plan within 72 h", "crime", "share",
         "Crimes reported in the period with an investigation plan made within 72 h of the report "
         "(investigation.yaml plan_within_hours), as a share of crimes reported that have a plan or are past "
         "their 72 h; one still inside them with no plan is not yet counted.", target=0.95),
    Spec("plan_quality", "Plan quality (mean score)", "crime", "count",
         "Mean investigation-plan score (0-100, crime context's scoring) of crimes reported in the period "
         "that have a plan.", target=80.0, amber=10.0),
    Spec("reviews_on_time", "Supervisory reviews on time", "crime", "share",
         "Supervisory reviews that fell due in the period (up to now) done by their due time, as a share of "
         "reviews that fell due; a review never done counts as missed, one not yet due is not yet counted.",
         target=0.90),
    Spec("needs_assessed", "Victims' needs assessed", "victims", "share",
         "Victims of crimes reported in the period with a needs assessment, as a share of those victims.",
         target=0.95),
    Spec("right6_on_time", "Right 6 updates on time", "victims", "share",
         "Right 6 clocks falling due in the period met by their due time, as a share of clocks due (an open "
         "clock past due and a clock met late count as missed).", target=0.95),
    Spec("vps_offered", "Victim Personal Statement offered", "victims", "share",
         "Victims of crimes reported in the period offered a VPS, as a share of those victims.", target=0.90),
    Spec("outcome_charged", "Outcome: charged or summonsed", "outcomes", "share",
         "Crimes closed in the period with outcome 1 or 1A, as a share of crimes closed.", direction=None,
         public=True),
    Spec("outcome_no_suspect", "Outcome: no suspect identified", "outcomes", "share",
         "Crimes closed with outcome 18, as a share of crimes closed.", direction=None, public=True),
    Spec("outcome_evidential", "Outcome: evidential difficulties", "outcomes", "share",
         "Crimes closed with outcome 14, 15 or 16, as a share of crimes closed.", direction=None, public=True),
    Spec("bureau_tasks_done", "Bureau tasks done", "outcomes", "share",
         "Bureau tasks created in the period that are done, as a share of those not cancelled.", target=0.90),
    Spec("bureau_hours_saved", "Officer hours saved by the bureau", "outcomes", "hours",
         "Sum of minutes_saved of bureau tasks done in the period, in hours.", direction=None),
)
SPECS = {s.key: s for s in CATALOGUE}


@dataclass
class Figure:
    """Counts behind one measure for one period: numerator over denominator (or a total for means)."""

    numerator: float = 0.0
    denominator: int = 0

    def value(self, unit: str) -> float | None:
        if unit == "hours":
            return round(self.numerator / 60.0, 1) if self.denominator else None
        if not self.denominator:
            return None
        raw = self.numerator / self.denominator
        return round(raw, 4) if unit == "share" else round(raw, 1)


def rag(spec: Spec, value: float | None) -> str | None:
    """Red, amber or green against the target; None without a target, a direction or a value."""
    if value is None or spec.target is None or spec.direction is None:
        return None
    short = spec.target - value if spec.direction == "higher" else value - spec.target
    if short <= 1e-9:
        return "green"
    return "amber" if short <= spec.amber + 1e-9 else "red"


def trend(spec: Spec, value: float | None, previous: float | None) -> str | None:
    """`better`, `worse` or `same` against the previous period (`up`/`down` for context measures)."""
    if value is None or previous is None:
        return None
    tolerance = 0.005 if spec.unit == "share" else 0.5
    if abs(value - previous) <= tolerance:
        return "same"
    up = value > previous
    if spec.direction is None:
        return "up" if up else "down"
    return "better" if up == (spec.direction == "higher") else "worse"


@dataclass
class Result:
    """A measure's figure for a period, ready for JSON."""

    spec: Spec
    current: Figure
    previous: Figure
    min_records: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        s = self.spec
        if s.no_data_reason is not None:
            value, previous = None, None
        else:
            value, previous = self.current.value(s.unit), self.previous.value(s.unit)
        n = self.current.denominator
        return {
            "key": s.key, "label": s.label, "section": s.section, "unit": s.unit, "value": value,
            "numerator": None if s.no_data_reason else _num(self.current.numerator),
            "denominator": None if s.no_data_reason else n,
            "target": s.target, "direction": s.direction, "rag": rag(s, value),
            "previous": previous, "trend": trend(s, value, previous),
            "no_data": value is None,
            "no_data_reason": s.no_data_reason or (None if value is not None else "no records in the period"),
            "small_number": value is not None and n < self.min_records,
            "references": [{"label": r.label, "value": r.value, "source": r.source} for r in s.references],
            **self.extra,
        }


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 1)


def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period of equal length immediately before."""
    days = (date_to - date_from).days + 1
    return date_from - timedelta(days=days), date_from - timedelta(days=1)


EARLIEST_DATE = date(2000, 1, 1)  # no force record is older; and date arithmetic stays in range
LATEST_DATE = date(2100, 12, 31)


def check_period(date_from: date, date_to: date) -> None:
    for value, name in ((date_from, "from"), (date_to, "to")):
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise PeriodError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}", name)
    if date_from > date_to:
        raise PeriodError(f"from ({date_from}) is after to ({date_to}): the period is reversed", "from")
    if (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
        raise PeriodError(f"the period is longer than {MAX_PERIOD_DAYS} days", "to")


def suppress(count: int | None, threshold: int) -> int | None:
    """A public count below the threshold is withheld (None), never shown."""
    if count is None or count < threshold:
        return None
    return count


def public_share(numerator: int, denominator: int, threshold: int) -> float | None:
    """A public share only when both the records behind it and the ones counted clear the threshold.

    The complement (denominator - numerator) is checked as well, so that a small group cannot be
    worked out by subtraction.
    """
    if denominator < threshold or numerator < threshold or denominator - numerator < threshold:
        return None
    return round(numerator / denominator, 3)
