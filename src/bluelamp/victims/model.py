"""Rules of the victims context (pure): working-day clocks, enhanced rights, DASH scoring, letters.

Working days are Monday to Friday less the bank holidays of England and Wales (the `holidays`
package, subdivision ENG); a clock is counted from the moment of the event, in Europe/London time.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from bluelamp.policy.schema import DashDoc, Right6Rule, VictimsCodeDoc

LONDON = ZoneInfo("Europe/London")
LEVELS = ("standard", "medium", "high")


class VictimsError(ValueError):
    """A request about a victim cannot be done; `field` names what is wrong, `status` the HTTP answer."""

    def __init__(self, message: str, field: str = "body", status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


# --- working days ------------------------------------------------------------------------------


class WorkingCalendar:
    """Monday to Friday, less the public holidays of one country subdivision."""

    def __init__(self, country: str = "GB", subdiv: str = "ENG") -> None:
        self._holidays = holidays.country_holidays(country, subdiv=subdiv)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: datetime, days: int, rule: str = "same_time") -> datetime:
        """The moment `days` whole working days after `start` (aware; the answer is UTC).

        `same_time`: from a working day, the clock ends at the same local time on the n-th following
        working day (Friday 15:00 + 1 = Monday 15:00). `end_of_day` (the Right 6 default): the clock
        ends at the end (local midnight) of the n-th working day after the day of the event (Friday
        15:00 + 1 = the end of Monday). From a weekend or holiday, both count from midnight of the next
        working day, so the clock ends at the end of the n-th working day.
        """
        if start.tzinfo is None:
            raise ValueError("naive datetime: a time zone is required")
        if days < 0:
            raise ValueError("days must not be negative")
        if rule not in ("same_time", "end_of_day"):
            raise ValueError("rule must be same_time or end_of_day")
        local = start.astimezone(LONDON)
        day = local.date()
        if rule == "end_of_day" and self.is_working_day(day) and days:
            for _ in range(days):
                day = self.next_working_day(day)
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(ZoneInfo("UTC"))
        if not self.is_working_day(day):
            day = self.next_working_day(day)
            for _ in range(days - 1):
                day = self.next_working_day(day)
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON) if days else \
                datetime.combine(day, time(0), tzinfo=LONDON)
            return end.astimezone(ZoneInfo("UTC"))
        for _ in range(days):
            day = self.next_working_day(day)
        end = datetime.combine(day, local.time(), tzinfo=LONDON)
        return end.astimezone(ZoneInfo("UTC"))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`."""
        n, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n += 1
        return n


@lru_cache(maxsize=4)
def calendar_for(country: str, subdiv: str) -> WorkingCalendar:
    return WorkingCalendar(country, subdiv)


@dataclass(frozen=True)
class Right6Clock:
    """When the victim must be told of an event, and when to warn that the clock is near."""

    event: str
    event_at: datetime
    working_days: int
    due_at: datetime
    warn_at: datetime


def right6_clock(event: str, event_at: datetime, enhanced: bool, rules: Right6Rule,
                 calendar: WorkingCalendar | None = None) -> Right6Clock:
    """5 working days from the event (1 for a victim with enhanced rights)."""
    if event not in rules.events:
        raise VictimsError(f"unknown event {event!r}; events are: {', '.join(rules.events)}", "event")
    cal = calendar or calendar_for(rules.holiday_country, rules.holiday_subdiv)
    days = rules.enhanced_working_days if enhanced else rules.standard_working_days
    due = cal.add_working_days(event_at, days, rules.day_rule)
    warn_hours = rules.warn_before_hours_enhanced if enhanced else rules.warn_before_hours_standard
    warn = (due - timedelta(hours=warn_hours)).astimezone(LONDON)
    while not cal.is_working_day(warn.date()) and warn > event_at:
        # A warning never falls at a weekend or bank holiday: the working day before, same local time.
        day = warn.date() - timedelta(days=1)
        warn = datetime.combine(day, warn.time().replace(tzinfo=None), tzinfo=LONDON)
    warn = max(event_at, warn.astimezone(ZoneInfo("UTC")))
    return Right6Clock(event=event, event_at=event_at, working_days=days, due_at=due, warn_at=warn)


def clock_state(due_at: datetime, warn_at: datetime, met_at: datetime | None, now: datetime) -> str:
    if met_at is not None:
        return "met" if met_at <= due_at else "met_late"
    if now > due_at:
        return "missed"
    if now >= warn_at:
        return "due_soon"
    return "open"


# --- enhanced rights and needs -----------------------------------------------------------------


@dataclass(frozen=True)
class EnhancedFacts:
    """What is known about a victim and their crime that can give enhanced rights by itself."""

    offence_name: str = ""
    most_serious_offence: bool = False
    domestic: bool = False
    hate: bool = False
    age: int | None = None  # at the time of the report
    needs: dict[str, Any] = field(default_factory=dict)
    repeat_flag: bool = False  # flagged repeat victim at first contact
    earlier_crimes: int = 0  # earlier crimes against the same person within the repeat window


def age_on(dob: date | None, day: date) -> int | None:
    if dob is None:
        return None
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _answered_yes(value: Any, no_answers: list[str]) -> bool:
    text = str(value or "").strip().lower()
    return bool(text) and text not in {a.lower() for a in no_answers} and not text.startswith("no ")


def enhanced_rights(facts: EnhancedFacts, assessed: list[str], override: dict[str, Any] | None,
                    doc: VictimsCodeDoc) -> tuple[bool, list[str], list[dict[str, str]]]:
    """Whether the victim has enhanced rights, the categories, and why: [{category, why, source}].

    The facts (offence, domestic and hate flags, age, disability in the needs assessment, repeat
    victimisation) each qualify by themselves; `assessed` are categories victim care recorded; an
    override (victim care, with a reason) decides the answer but the reasons found are still shown.
    """
    rules = doc.enhanced_rules
    unknown = [c for c in assessed if c not in doc.enhanced_categories]
    if unknown:
        raise VictimsError(f"unknown enhanced-rights category {unknown[0]!r}; categories are: "
                           f"{', '.join(doc.enhanced_categories)}", "enhanced_categories")
    basis: list[dict[str, str]] = []
    if facts.most_serious_offence:
        basis.append({"category": "most_serious_crime", "source": "offence",
                      "why": f"victim of {facts.offence_name or 'an offence'} (a most serious crime)"})
    if facts.domestic:
        basis.append({"category": rules.domestic_abuse, "source": "crime", "why": "the crime is domestic abuse"})
    if facts.hate:
        basis.append({"category": rules.hate_crime, "source": "crime", "why": "the crime is a hate crime"})
    if facts.age is not None and facts.age < rules.under_age:
        basis.append({"category": rules.under_age_category, "source": "age",
                      "why": f"under {rules.under_age} at the time of the report (aged {facts.age})"})
    for question, category in rules.needs_qualifying.items():
        if _answered_yes(facts.needs.get(question), rules.needs_no_answers):
            basis.append({"category": category, "source": "needs",
                          "why": f"{question} recorded in the needs assessment"})
    if facts.repeat_flag:
        basis.append({"category": rules.repeat_category, "source": "repeat",
                      "why": "flagged as a repeat victim at first contact"})
    elif facts.earlier_crimes + 1 >= rules.repeat_crimes:
        basis.append({"category": rules.repeat_category, "source": "repeat",
                      "why": f"{facts.earlier_crimes + 1} crimes against the same person within "
                             f"{rules.repeat_window_days} days"})
    for category in sorted(set(assessed)):
        basis.append({"category": category, "source": "assessment",
                      "why": f"{doc.enhanced_categories[category].lower()} (recorded at the needs assessment)"})
    categories = sorted({b["category"] for b in basis})
    enhanced = bool(categories)
    if override is not None:
        enhanced = bool(override.get("enhanced"))
        basis.insert(0, {"category": "override", "source": "override",
                         "why": f"{'given' if enhanced else 'not given'} by {override.get('by')}: "
                                f"{override.get('reason')}"})
        if not enhanced:
            categories = []
    return enhanced, categories, basis


def enhanced_status(categories: list[str], most_serious_offence: bool, doc: VictimsCodeDoc) -> list[str]:
    """The reasons a victim has enhanced rights (empty: standard). The offence alone can qualify."""
    unknown = [c for c in categories if c not in doc.enhanced_categories]
    if unknown:
        raise VictimsError(f"unknown enhanced-rights category {unknown[0]!r}; categories are: "
                           f"{', '.join(doc.enhanced_categories)}", "enhanced_categories")
    reasons = sorted(set(categories))
    if most_serious_offence and "most_serious_crime" not in reasons:
        reasons.insert(0, "most_serious_crime")
    return reasons


def check_needs(needs: dict[str, Any], doc: VictimsCodeDoc) -> dict[str, str]:
    unknown = [k for k in needs if k not in doc.needs]
    if unknown:
        raise VictimsError(f"unknown needs question {unknown[0]!r}", f"needs.{unknown[0]}")
    return {k: str(v).strip()[:2000] for k, v in needs.items() if v is not None and str(v).strip()}


# --- DASH --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashResult:
    """The scored checklist: the actuarial level, what raised it, and whether MARAC is required."""

    yes_count: int
    actuarial: str
    judgement: str | None
    escalation: bool
    incidents_in_window: int
    level: str
    marac: bool
    reasons: list[str] = field(default_factory=list)
    repeat_marac: bool = False


def level_rank(level: str) -> int:
    return LEVELS.index(level)


def check_dash_answers(answers: dict[str, Any], doc: DashDoc) -> dict[str, str]:
    """Every question answered, each with an allowed answer; nothing else."""
    ids = [q.id for q in doc.questions]
    unknown = [k for k in answers if k not in ids]
    if unknown:
        raise VictimsError(f"unknown DASH question {unknown[0]!r}", f"answers.{unknown[0]}")
    missing = [q for q in ids if answers.get(q) in (None, "")]
    if missing:
        numbers = ", ".join(str(ids.index(q) + 1) for q in missing)
        raise VictimsError(f"DASH is incomplete: {len(missing)} of {len(ids)} questions unanswered "
                           f"(question {numbers}; first: {missing[0]})", f"answers.{missing[0]}")
    bad = [k for k in ids if str(answers[k]) not in doc.answers]
    if bad:
        raise VictimsError(f"answer to {bad[0]} must be one of {', '.join(doc.answers)}", f"answers.{bad[0]}")
    return {k: str(answers[k]) for k in ids}


def score_dash(answers: dict[str, Any], doc: DashDoc, *, judgement: str | None = None,
               judgement_reason: str | None = None, incidents_in_window: int = 1,
               repeat_marac: bool = False) -> DashResult:
    """Score to standard / medium / high; judgement may raise, never lower; escalation raises too.

    `incidents_in_window` counts this incident and the earlier ones within the escalation window.
    """
    clean = check_dash_answers(answers, doc)
    yes = sum(1 for v in clean.values() if v == "yes")
    actuarial = "high" if yes >= doc.high_at else "medium" if yes >= doc.medium_at else "standard"
    reasons = [f"{yes} 'yes' answers: {actuarial} (high at {doc.high_at}, medium at {doc.medium_at})"]
    level = actuarial
    if judgement:
        if judgement not in LEVELS:
            raise VictimsError(f"judgement must be one of {', '.join(LEVELS)}", "judgement")
        if level_rank(judgement) < level_rank(actuarial):
            raise VictimsError(f"professional judgement can raise the level but never lower it below the "
                               f"actuarial {actuarial}", "judgement")
        if level_rank(judgement) > level_rank(actuarial):
            if not (judgement_reason and judgement_reason.strip()):
                raise VictimsError("raising the level by professional judgement needs a reason", "judgement_reason")
            level = judgement
            reasons.append(f"raised to {judgement} by professional judgement")
    escalation = incidents_in_window >= doc.escalation_incidents
    if escalation:
        reasons.append(f"escalation: {incidents_in_window} incidents within {doc.escalation_window_days} days")
        if level_rank(doc.escalation_level) > level_rank(level):
            level = doc.escalation_level
            reasons.append(f"raised to {level} by escalation")
    if repeat_marac:
        reasons.append(f"repeat MARAC: a new incident within {doc.repeat_marac_window_days} days of a MARAC referral")
    marac = level in doc.marac_levels or escalation or repeat_marac
    return DashResult(yes_count=yes, actuarial=actuarial, judgement=judgement or None, escalation=escalation,
                      incidents_in_window=incidents_in_window, level=level, marac=marac, reasons=reasons,
                      repeat_marac=repeat_marac)


def incidents_in_window(times: list[datetime], at: datetime, window_days: int) -> int:
    """This incident plus earlier ones within the window before it."""
    start = at - timedelta(days=window_days)
    return 1 + sum(1 for t in times if start <= t < at)


# --- letters -----------------------------------------------------------------------------------


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def render_letter(template: str, **values: Any) -> str:
    """Fill {placeholders}; an unknown placeholder is left blank, never an error."""
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    return template.format_map(_Blank({k: v for k, v in values.items() if k in names}))
