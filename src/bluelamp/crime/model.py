"""Rules of the crime context (pure): the NCRS clock, review schedules, plan quality, outcome evidence.

Every function takes plain values and the policy document it needs, so the rules can be tested
without a database and changed by editing policy, not code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bluelamp.policy.schema import InvestigationDoc, Outcome, OutcomesDoc

RISKS = ("high", "medium", "low")
PARTY_ROLES = ("victim", "suspect", "witness")
OPEN = "open"
PENDING_CLOSURE = "pending_closure"
CLOSED = "closed"


class CrimeError(ValueError):
    """A request about a crime cannot be done; `field` names what is wrong, `status` the HTTP answer."""

    def __init__(self, message: str, field: str = "body", status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


# --- dates -------------------------------------------------------------------------------------


def check_aware(at: datetime, name: str) -> datetime:
    if at.tzinfo is None:
        raise CrimeError(f"{name} needs a time zone (for example 2026-03-01T21:00:00Z)", name)
    return at


def check_not_future(at: datetime, now: datetime, name: str, slack: timedelta = timedelta(minutes=5)) -> datetime:
    """A recorded event cannot be later than now (a few minutes of clock drift are allowed)."""
    check_aware(at, name)
    if at > now + slack:
        raise CrimeError(f"{name} is in the future", name)
    return at


def check_order(earlier: datetime, later: datetime, earlier_name: str, later_name: str) -> None:
    if later < earlier:
        raise CrimeError(f"{later_name} is before {earlier_name}", later_name)


# --- National Crime Recording Standard ---------------------------------------------------------


def recording_due(reported_at: datetime, rules: InvestigationDoc) -> datetime:
    """The crime must be recorded within `recording_hours` (24) of the report."""
    return reported_at + timedelta(hours=rules.recording_hours)


def recording_state(reported_at: datetime, recorded_at: datetime | None, now: datetime,
                    rules: InvestigationDoc) -> str:
    """met / missed once recorded; otherwise due, due_soon or overdue."""
    due = recording_due(reported_at, rules)
    if recorded_at is not None:
        return "met" if recorded_at <= due else "missed"
    if now > due:
        return "overdue"
    if now >= due - timedelta(hours=rules.recording_warn_hours):
        return "due_soon"
    return "due"


def check_restart(source_at: datetime, reported_at: datetime, reason: str | None,
                  rules: InvestigationDoc) -> str | None:
    """A `reported_at` later than the contact or incident restarts the 24-hour clock: it needs a reason
    (and the original clock is kept). Returns the reason, or None when the clock is not restarted."""
    if reported_at <= source_at + timedelta(minutes=rules.restart_slack_minutes):
        return None
    text = (reason or "").strip()
    if len(text) < rules.restart_reason_min_chars:
        raise CrimeError("a reported_at later than the contact or incident restarts the recording clock: give a "
                         f"restart_reason of at least {rules.restart_reason_min_chars} characters", "restart_reason")
    return text[:2000]


# --- supervision -------------------------------------------------------------------------------


def check_risk(risk: str) -> str:
    if risk not in RISKS:
        raise CrimeError(f"risk must be one of {', '.join(RISKS)}", "risk")
    return risk


def first_review_due(recorded_at: datetime, risk: str, rules: InvestigationDoc) -> datetime:
    """High risk: within 24 hours of recording (by default); medium within 7 days; low within 28."""
    return recorded_at + timedelta(hours=rules.reviews[check_risk(risk)].first_within_hours)


def next_review_due(reviewed_at: datetime, risk: str, rules: InvestigationDoc) -> datetime:
    """After a review: every 7 days for high risk, 28 for medium and low (by default)."""
    return reviewed_at + timedelta(days=rules.reviews[check_risk(risk)].then_every_days)


def check_direction(direction: str | None, rules: InvestigationDoc) -> str:
    text = (direction or "").strip()
    if len(text) < rules.min_direction_chars:
        raise CrimeError(f"a review needs written direction of at least {rules.min_direction_chars} characters",
                         "direction")
    return text


# --- investigation plan quality ----------------------------------------------------------------


@dataclass(frozen=True)
class PlanContext:
    """Facts about the crime that decide which plan elements apply."""

    suspect_known: bool = False
    domestic: bool = False
    has_victim: bool = True

    def holds(self, condition: str | None) -> bool:
        if condition is None:
            return True
        return bool(getattr(self, condition, False))


@dataclass(frozen=True)
class PlanScore:
    """The plan's score out of 100, its band, and the reasons points were lost (what is missing)."""

    score: int
    band: str
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "band": self.band, "reasons": list(self.reasons), "missing": list(self.missing)}


def clean_elements(elements: dict[str, Any], rules: InvestigationDoc) -> dict[str, dict[str, str]]:
    """Validate a plan's elements: known ids, text or a reason it does not apply (where allowed)."""
    known = {e.id: e for e in rules.elements}
    out: dict[str, dict[str, str]] = {}
    for key, value in elements.items():
        element = known.get(key)
        if element is None:
            raise CrimeError(f"unknown plan element {key!r}; elements are: {', '.join(known)}", f"elements.{key}")
        if isinstance(value, str):
            value = {"text": value}
        if not isinstance(value, dict):
            raise CrimeError("a plan element is text, or {text, not_applicable}", f"elements.{key}")
        text = str(value.get("text") or "").strip()
        na = str(value.get("not_applicable") or "").strip()
        if na and not element.may_be_not_applicable:
            raise CrimeError(f"{element.label} cannot be marked not applicable", f"elements.{key}")
        if len(text) > 10_000 or len(na) > 2_000:
            raise CrimeError("plan element text is too long", f"elements.{key}")
        entry = {}
        if text:
            entry["text"] = text
        if na:
            entry["not_applicable"] = na
        if entry:
            out[key] = entry
    return out


def score_plan(elements: dict[str, dict[str, str]], ctx: PlanContext, actions: int,
               rules: InvestigationDoc) -> PlanScore:
    """Weights of the elements present over the weights of those that apply, less a penalty for no actions."""
    due = 0
    got = 0
    reasons: list[str] = []
    missing: list[str] = []
    for element in rules.elements:
        if not ctx.holds(element.applies_when):
            continue
        due += element.weight
        entry = elements.get(element.id, {})
        text = entry.get("text", "")
        na = entry.get("not_applicable", "")
        always = [c for c in element.not_applicable_unless if ctx.holds(c)]
        na_ok = bool(na) and element.may_be_not_applicable and not always and len(na) >= rules.min_not_applicable_chars
        if len(text) >= element.min_chars or na_ok:
            got += element.weight
        else:
            missing.append(element.id)
            if text:
                short = f" (too brief: under {element.min_chars} characters)"
            elif na and always:
                short = f" (it cannot be marked not applicable on a {' and '.join(always).replace('_', ' ')} crime)"
            elif na:
                short = f" (the not-applicable reason is too brief: under {rules.min_not_applicable_chars} characters)"
            else:
                short = ""
            reasons.append(f"{element.missing}{short}")
    score = round(100 * got / due) if due else 100
    if actions == 0 and rules.no_actions_penalty:
        score = max(0, score - rules.no_actions_penalty)
        reasons.append(f"no actions recorded against the plan (-{rules.no_actions_penalty})")
    return PlanScore(score=score, band=band_for(score, rules), reasons=reasons, missing=missing)


def band_for(score: int, rules: InvestigationDoc) -> str:
    for name, minimum in sorted(rules.quality_bands.items(), key=lambda kv: -kv[1]):
        if score >= minimum:
            return name
    return "poor"


# --- outcomes and closure ----------------------------------------------------------------------


def check_outcome(code: str | None, evidence: dict[str, Any] | None, suspect_known: bool,
                  doc: OutcomesDoc) -> tuple[Outcome, dict[str, str]]:
    """The outcome exists and its evidence is recorded (for example the victim's wishes for 14 and 16)."""
    if not code or not str(code).strip():
        raise CrimeError("a crime cannot close without a Home Office outcome type", "outcome")
    outcome = doc.get(str(code).strip().upper())
    if outcome is None:
        raise CrimeError(f"unknown outcome type {code!r}", "outcome")
    given = {k: str(v).strip() for k, v in (evidence or {}).items() if v is not None and str(v).strip()}
    unknown = sorted(k for k in given if k not in doc.evidence_fields)
    if unknown:
        raise CrimeError(f"unknown evidence field {unknown[0]!r}", f"evidence.{unknown[0]}")
    for key in outcome.evidence:
        value = given.get(key, "")
        if len(value) < doc.min_evidence_chars:
            what = doc.evidence_fields[key]
            raise CrimeError(f"outcome {outcome.code} needs {key.replace('_', ' ')} ({what}), at least "
                             f"{doc.min_evidence_chars} characters", f"evidence.{key}")
    if outcome.needs_suspect and not suspect_known:
        raise CrimeError(f"outcome {outcome.code} needs an identified suspect recorded on the crime", "outcome")
    if outcome.no_suspect and suspect_known:
        raise CrimeError(f"outcome {outcome.code} says no suspect was identified, but an identified suspect is "
                         "recorded on the crime", "outcome")
    return outcome, given
