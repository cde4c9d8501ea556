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




DOCUMENTS: dict[str, type[BaseModel]] = {
    "grades": GradesDoc,
    "routes": RoutesDoc,
    "flags": FlagsDoc,
    "thrive": ThriveDoc,
    "matching": MatchingDoc,
    "reassessment": ReassessmentDoc,
}
REQUIRED: list[str] = ["grades", "routes", "flags", "thrive", "matching", "reassessment"]

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




# The contexts' schemas register themselves; importing them here keeps every name importable from
# `bluelamp.policy.schema` as before.
from bluelamp.policy.schema_crime import *  # noqa: E402,F403
from bluelamp.policy.schema_location import *  # noqa: E402,F403
from bluelamp.policy.schema_response import *  # noqa: E402,F403
from bluelamp.policy.schema_telephony import *  # noqa: E402,F403
from bluelamp.policy.schema_triage import *  # noqa: E402,F403
