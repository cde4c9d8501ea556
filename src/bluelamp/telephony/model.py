"""Pure rules of the telephony context: call events, a call's state, the hourly bands, call-back priority.

Standard library only. A call's state is derived from *all* of its events, never from the last one
to arrive, so a feed that repeats or reorders events gives the same answer (`derive`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

EVENTS = ("offered", "answered", "transferred", "abandoned", "ended", "callback_requested")
LINES = ("999", "101", "sms", "relay")
# The contact channel a call on each line becomes: emergencySMS is a 999 route; Relay UK carries both
# 18000 (999) and 18001 101, so a relay call links to a contact of either channel.
CHANNEL_LINES = {"999": ("999", "sms", "relay"), "101": ("101", "relay")}
MAX_CALL_ID = 64
MAX_HANDLER = 120
MAX_NUMBER = 32
# A platform clock a little ahead of ours is not "the future": events up to this far ahead are taken.
FUTURE_SKEW = timedelta(seconds=30)
EVENT_FIELDS = frozenset({"call_id", "event", "line", "at", "number", "handler"})
NUMBER = re.compile(r"^\+?[0-9 ()-]{3,32}$")

# The hourly answer-time report: the answered bands (upper bound in seconds; None = over 120 s).
BANDS: tuple[tuple[str, float | None], ...] = (
    ("10", 10.0), ("15", 15.0), ("20", 20.0), ("40", 40.0), ("60", 60.0), ("120", 120.0), ("121", None),
)
REPORT_PREFIXES = {"911": "999", "ADM": "101"}  # column prefix -> our line


class TelephonyError(ValueError):
    """A telephony request cannot be done; `field` names what is wrong."""

    def __init__(self, message: str, field: str = "body", status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


@dataclass(frozen=True)
class CallEvent:
    """One event of the platform's feed, validated; times are aware UTC."""

    call_id: str
    event: str
    line: str
    at: datetime
    number: str | None = None
    handler: str | None = None


def parse_event(raw: Any, now: datetime) -> CallEvent:
    """Validate one item of the feed; raises TelephonyError naming the field."""
    if not isinstance(raw, dict):
        raise TelephonyError("each event must be a JSON object", "body")
    unknown = sorted(set(raw) - EVENT_FIELDS)
    if unknown:
        raise TelephonyError(f"unknown field (allowed: {', '.join(sorted(EVENT_FIELDS))})", unknown[0])
    call_id = raw.get("call_id")
    if not isinstance(call_id, str) or not call_id.strip() or len(call_id) > MAX_CALL_ID:
        raise TelephonyError(f"call_id must be a non-empty string of at most {MAX_CALL_ID} characters", "call_id")
    event = raw.get("event")
    if event not in EVENTS:
        raise TelephonyError(f"event must be one of {', '.join(EVENTS)}", "event")
    line = raw.get("line")
    if not isinstance(line, str) or line not in LINES:
        raise TelephonyError(f"unknown line; lines are {', '.join(LINES)}", "line")
    at = _time(raw.get("at"))
    if at > now + FUTURE_SKEW:
        raise TelephonyError("at is in the future", "at")
    number = raw.get("number")
    if number is not None:
        if not isinstance(number, str) or not NUMBER.match(number.strip()):
            raise TelephonyError("number must be a telephone number (digits, spaces, +, -, brackets)", "number")
        number = number.strip() or None
    handler = raw.get("handler")
    if handler is not None and (not isinstance(handler, str) or not handler.strip() or len(handler) > MAX_HANDLER):
        raise TelephonyError(f"handler must be a non-empty string of at most {MAX_HANDLER} characters", "handler")
    return CallEvent(call_id.strip(), event, line, at, number, handler.strip() if handler else None)


def _time(value: Any) -> datetime:
    from datetime import UTC

    if not isinstance(value, str):
        raise TelephonyError("at must be an ISO-8601 time with a time zone", "at")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise TelephonyError("at must be an ISO-8601 time with a time zone", "at") from None
    if parsed.tzinfo is None:
        raise TelephonyError("at must carry a time zone", "at")
    return parsed.astimezone(UTC)


@dataclass
class CallState:
    """What is known of one call from all its events.

    `outcome`: answered, abandoned (an abandoned event, or ended without an answer), callback (the
    caller took the call-back offer instead of waiting) or waiting. `unoffered` marks a call with
    events but no `offered` event: kept, flagged, and left out of the measures (its answer time is
    unknown). `conflicts` lists what the events disagree on.
    """

    call_id: str
    line: str
    offered_at: datetime | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    abandoned_at: datetime | None = None
    ended_at: datetime | None = None
    transferred_at: datetime | None = None
    callback_requested_at: datetime | None = None
    number: str | None = None
    outcome: str = "waiting"
    conflicts: list[str] = field(default_factory=list)

    @property
    def unoffered(self) -> bool:
        return self.offered_at is None

    @property
    def answer_s(self) -> float | None:
        if self.offered_at is None or self.answered_at is None:
            return None
        return max(0.0, (self.answered_at - self.offered_at).total_seconds())

    @property
    def wait_s(self) -> float | None:
        """How long an unanswered caller waited before hanging up or taking the call-back offer."""
        end = self.abandoned_at or self.callback_requested_at or self.ended_at
        if self.offered_at is None or self.answered_at is not None or end is None:
            return None
        return max(0.0, (end - self.offered_at).total_seconds())

    @property
    def hour(self) -> datetime | None:
        """The UTC hour the call was offered in (the unit the measures and the imported reports share)."""
        return self.offered_at.replace(minute=0, second=0, microsecond=0) if self.offered_at else None


def derive(call_id: str, events: list[CallEvent]) -> CallState:
    """The call's state from all of its events, in any order, repeats and all."""
    ordered = sorted(events, key=lambda e: (e.at, EVENTS.index(e.event)))
    firsts: dict[str, CallEvent] = {}
    for e in ordered:
        firsts.setdefault(e.event, e)
    offered = firsts.get("offered")
    line = offered.line if offered else ordered[0].line
    state = CallState(call_id=call_id, line=line)
    lines = {e.line for e in ordered}
    if len(lines) > 1:
        state.conflicts.append(f"events name more than one line ({', '.join(sorted(lines))}); {line} taken")
    state.offered_at = offered.at if offered else None
    if "answered" in firsts:
        state.answered_at = firsts["answered"].at
        state.answered_by = firsts["answered"].handler
    for name in ("abandoned", "transferred", "callback_requested"):
        if name in firsts:
            setattr(state, f"{name}_at", firsts[name].at)
    ends = [e.at for e in ordered if e.event == "ended"]
    state.ended_at = max(ends) if ends else None
    state.number = next((e.number for e in ordered if e.number), None)
    if state.answered_at is not None:
        state.outcome = "answered"
        if state.abandoned_at is not None:
            state.conflicts.append("answered and abandoned: counted as answered")
    elif state.callback_requested_at is not None:
        state.outcome = "callback"
    elif state.abandoned_at is not None or state.ended_at is not None:
        state.outcome = "abandoned"
    if state.offered_at is None:
        state.conflicts.append("no offered event: the call is kept but left out of the measures")
    return state


def band_of(seconds: float) -> str:
    """The report band an answer time falls in (bands are inclusive of their upper bound)."""
    for name, upper in BANDS:
        if upper is not None and seconds <= upper:
            return name
    return "121"


# --- the call-back queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    priority: int
    deadline_minutes: int
    when: tuple[str, ...]


@dataclass(frozen=True)
class Triage:
    """A call-back item's priority, deadline and the reasons for them."""

    priority: int
    deadline: datetime
    reasons: tuple[str, ...]


REASON_TEXT = {
    "vulnerability": "the number belongs to someone with a vulnerability marker",
    "recent_999": "a 999 call from this number in the last {recent_999_hours} h",
    "open_incident": "an open incident involves this number",
    "open_crime": "this number belongs to a victim in an open crime",
    "repeat_victim": "this number belongs to a repeat victim (an earlier contact as victim within 12 months)",
    "callback_requested": "the caller asked for a call-back instead of waiting",
    "abandoned": "the caller hung up before an answer",
    "no_number_history": "no history found for this number",
}


def triage_callback(found: set[str], tiers: list[Tier], start: datetime, settings: dict[str, Any]) -> Triage:
    """The most urgent tier any finding reaches sets priority and deadline (the last tier is the default)."""
    chosen = tiers[-1]
    for tier in sorted(tiers, key=lambda t: t.priority):
        if found.intersection(tier.when):
            chosen = tier
            break
    reasons = [REASON_TEXT[k].format(**settings) for k in
               ("vulnerability", "recent_999", "open_incident", "open_crime", "repeat_victim") if k in found]
    reasons.insert(0, REASON_TEXT["callback_requested" if "callback_requested" in found else "abandoned"])
    if not found - {"callback_requested"}:
        reasons.append(REASON_TEXT["no_number_history"])
    reasons.append(f"priority {chosen.priority}: call back within {_minutes(chosen.deadline_minutes)}")
    return Triage(chosen.priority, start + timedelta(minutes=chosen.deadline_minutes), tuple(reasons))


def _minutes(m: int) -> str:
    return f"{m // 60} h" if m % 60 == 0 and m >= 60 else f"{m} min"


OUTCOMES = ("reached", "no_answer", "not_needed")
