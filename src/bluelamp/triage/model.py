"""Triage's domain types: what the narrative evidences, and the assessment handed back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

THRIVE_KEYS = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")


@dataclass(frozen=True, slots=True)
class Mention:
    """One piece of evidence: an indicator matched in the narrative (or an answer)."""

    fact: str
    text: str
    reason: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Findings:
    """What the narrative evidences: facts (flags and signals) with the mentions behind them."""

    facts: frozenset[str]
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """A grade, route and referrals with the facts and reasons that led to them."""

    grade: int
    route: str
    facts: frozenset[str]
    flags: tuple[str, ...]
    referrals: tuple[str, ...]
    reasons: tuple[str, ...]
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class Learned:
    """What the learned text model reads, already thresholded: flags, a grade floor, a grade-4 route."""

    flags: tuple[tuple[str, str], ...] = ()  # (flag, reason): facts the rules then grade on
    shown: tuple[tuple[str, str], ...] = ()  # (flag, reason): reported for the handler, not graded on
    floor: tuple[int, str] | None = None  # (grade, reason): at least this urgent
    floor_held: tuple[int, str] | None = None  # the same at the surer `held` threshold (grading.yaml `held`)
    route: tuple[str, str] | None = None  # (route, reason): a grade-4 route read with confidence
    doubt: tuple[float, str] | None = None  # (p, reason): some urgency read, below the floor's threshold


@dataclass(frozen=True)
class Assessment:
    """The THRIVE assessment of one contact (CONTRACT.md "Assessment (output)")."""

    grade: int
    grade_name: str
    route: str
    flags: list[str]
    attend_by: datetime | None
    thrive: dict[str, str]
    referrals: list[str]
    reasons: list[str]
    policy_version: str
    provisional: bool = False
    questions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.attend_by is not None and self.attend_by.tzinfo is None:
            raise ValueError("attend_by must be timezone-aware")

    def to_dict(self) -> dict[str, Any]:
        """Exactly the contract JSON: attend_by in UTC with a Z, lists copied."""
        attend = None
        if self.attend_by is not None:
            attend = self.attend_by.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return {
            "grade": self.grade,
            "grade_name": self.grade_name,
            "route": self.route,
            "flags": list(self.flags),
            "attend_by": attend,
            "thrive": {k: self.thrive[k] for k in THRIVE_KEYS},
            "referrals": list(self.referrals),
            "reasons": list(self.reasons),
            "policy_version": self.policy_version,
            "provisional": self.provisional,
            "questions": list(self.questions),
        }


@dataclass(frozen=True)
class Screening:
    """A quick read of live-chat text: flags so far, a suggested grade and route, and whether to escalate."""

    flags: list[str]
    grade: int
    route: str
    is_emergency: bool
    reasons: list[str] = field(default_factory=list)
    policy_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "flags": list(self.flags), "grade": self.grade, "route": self.route,
            "is_emergency": self.is_emergency, "reasons": list(self.reasons),
            "policy_version": self.policy_version,
        }
