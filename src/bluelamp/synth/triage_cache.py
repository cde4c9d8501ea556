"""Triage for the demo, cached: the real `triage.service.assess`, called once per distinct contact.

The demo's narratives come from a fixed pool, so across a year the same (narrative, answers, urban,
channel, history flags) recur many times. The first occurrence is assessed; later ones reuse the
result with `attend_by` moved by the difference in received times (the only part that depends on
when the contact came in). The proposal's JSON is kept too, so a year's proposals are not encoded
again one by one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bluelamp import clock
from bluelamp.contact.model import Answers, ContactIn, Location
from bluelamp.policy import Policy
from bluelamp.synth.bulk import RawJSON
from bluelamp.triage.service import assess

Key = tuple[str, tuple[tuple[str, bool], ...], bool, str, tuple[str, ...]]


@dataclass(frozen=True)
class Cached:
    """One assessment, with its time-free parts ready to reuse."""

    proposal: dict[str, Any]  # Assessment.to_dict() of the first contact seen
    body: str                 # its JSON without attend_by and reasons, without the outer braces
    delta: timedelta | None   # attend_by - received_at
    flags_json: RawJSON       # the flags as JSON, for the contact's own column
    reasons_json: str         # the reasons as JSON

    @property
    def grade(self) -> int:
        return int(self.proposal["grade"])

    @property
    def route(self) -> str:
        return str(self.proposal["route"])

    @property
    def flags(self) -> list[str]:
        return list(self.proposal["flags"])

    def attend_by(self, received_at: datetime) -> datetime | None:
        return received_at + self.delta if self.delta is not None else None

    def json(self, attend_by: datetime | None, more_reasons: list[str]) -> RawJSON:
        """The proposal for one contact: the cached assessment, its own attend_by, and extra reasons."""
        reasons = self.proposal["reasons"]
        if more_reasons:
            reasons_json = json.dumps(reasons + [r for r in more_reasons if r not in reasons])
        else:
            reasons_json = self.reasons_json
        attend = "null" if attend_by is None else f'"{clock.iso(attend_by)}"'  # ISO text needs no escaping
        return RawJSON("{" + self.body + ', "attend_by": ' + attend + ', "reasons": ' + reasons_json + "}")


class CachedTriage:
    """Assess through a cache keyed by everything the assessment depends on except the time."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._cache: dict[Key, Cached] = {}
        self.calls = 0
        self.hits = 0

    def assess(self, narrative: str, answers: dict[str, bool], urban: bool, channel: str,
               history: tuple[str, ...], received_at: datetime) -> Cached:
        key: Key = (narrative, tuple(sorted(answers.items())), urban, channel, history)
        found = self._cache.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.calls += 1
        contact = ContactIn(channel=channel, narrative=narrative, received_at=received_at,  # type: ignore[arg-type]
                            location=Location(urban=urban), answers=Answers(**answers))
        result = assess(contact, policy=self.policy, now=received_at, history_flags=history)
        proposal = result.to_dict()
        rest = {k: v for k, v in proposal.items() if k not in ("attend_by", "reasons")}
        delta = result.attend_by - received_at if result.attend_by is not None else None
        found = Cached(proposal, json.dumps(rest)[1:-1], delta, RawJSON(json.dumps(proposal["flags"])),
                       json.dumps(proposal["reasons"]))
        self._cache[key] = found
        return found

    @property
    def size(self) -> int:
        return len(self._cache)
