"""Triage for the demo, cached: the real `triage.service.assess`, called once per distinct contact.

The demo's narratives come from a fixed pool, so across a year the same (narrative, answers, urban,
channel, history flags) recur many times. The first occurrence is assessed; later ones reuse the
result with `attend_by` moved by the difference in received times (the only part that depends on
when the contact came in).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bluelamp import clock
from bluelamp.contact.model import Answers, ContactIn, Location
from bluelamp.policy import Policy
from bluelamp.triage.service import assess

Key = tuple[str, tuple[tuple[str, bool], ...], bool, str, tuple[str, ...]]


class CachedTriage:
    """Assess through a cache keyed by everything the assessment depends on except the time."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._cache: dict[Key, tuple[dict[str, Any], timedelta | None]] = {}
        self.calls = 0
        self.hits = 0

    def assess(self, narrative: str, answers: dict[str, bool], urban: bool, channel: str,
               history: tuple[str, ...], received_at: datetime) -> tuple[dict[str, Any], datetime | None]:
        """The proposal dict (a fresh copy) and its attend_by for a contact received at `received_at`."""
        key: Key = (narrative, tuple(sorted(answers.items())), urban, channel, history)
        found = self._cache.get(key)
        if found is None:
            self.calls += 1
            contact = ContactIn(channel=channel, narrative=narrative, received_at=received_at,  # type: ignore[arg-type]
                                location=Location(urban=urban), answers=Answers(**answers))
            result = assess(contact, policy=self.policy, now=received_at, history_flags=history)
            delta = result.attend_by - received_at if result.attend_by is not None else None
            found = (result.to_dict(), delta)
            self._cache[key] = found
        else:
            self.hits += 1
        template, delta = found
        proposal = dict(template)
        proposal["flags"] = list(template["flags"])
        proposal["reasons"] = list(template["reasons"])
        attend_by = received_at + delta if delta is not None else None
        proposal["attend_by"] = clock.iso(attend_by)
        return proposal, attend_by

    @property
    def size(self) -> int:
        return len(self._cache)
