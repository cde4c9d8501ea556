"""Need to know, written as data: for each record kind, role and relationship, the view it gets.

Relationships: `own` (the principal recorded the contact, or serves the chat) and `any`. A view is
a name from VIEWS (which parts of the record are shown), or None (refused, 403). `reason:` before a
view means the read is a search that must state a reason (`?reason=`), which the access log keeps.
With several roles, the widest view wins. docs/security.md explains each row.
"""

from __future__ import annotations

from bluelamp.identity.model import Principal

FULL = "full"

# Which parts of a contact each view shows (every view shows the keys in CONTACT_ALWAYS).
CONTACT_ALWAYS = ("id", "channel", "agency", "source", "received_at", "answered_at", "grade", "route", "flags",
                  "status", "policy_version", "incident_id", "location", "area")
VIEWS: dict[str, tuple[str, ...] | None] = {
    FULL: None,  # everything
    # The incident's location, grade and flags, and what was said: enough to brief officers.
    "dispatch": ("narrative", "answers", "assessment", "decision"),
    # Everything but other people's household details.
    "no_household": ("narrative", "answers", "assessment", "decision", "caller", "people", "recorded_by",
                     "details_verified"),
}
RANK = {None: 0, "dispatch": 1, "no_household": 2, FULL: 3}

POLICY: dict[str, dict[str, dict[str, str | None]]] = {
    "contact": {
        "supervisor": {"own": FULL, "any": FULL},
        "call_handler": {"own": FULL, "any": "no_household"},
        "chat_operator": {"own": FULL, "any": None},
        "dispatcher": {"own": "dispatch", "any": "dispatch"},
        "investigator": {"own": "no_household", "any": "no_household"},
        "cab_officer": {"own": "no_household", "any": "no_household"},
        "victim_care": {"own": "no_household", "any": "no_household"},
        "auditor": {"own": "reason:no_household", "any": "reason:no_household"},
    },
    "person": {
        "supervisor": {"own": FULL, "any": FULL},
        "call_handler": {"own": FULL, "any": FULL},
    },
    "chat": {
        "supervisor": {"own": FULL, "any": FULL},
        "chat_operator": {"own": FULL, "any": None},
        "call_handler": {"own": FULL, "any": FULL},
        "auditor": {"own": "reason:" + FULL, "any": "reason:" + FULL},
    },
}


class AccessDenied(Exception):
    def __init__(self, message: str, field: str = "role") -> None:
        super().__init__(message)
        self.field = field


def view_for(kind: str, principal: Principal, own: bool, reason: str | None = None) -> str:
    """The widest view the principal's roles give on this record, or AccessDenied."""
    if "admin" in principal.roles:
        return FULL
    rows = POLICY.get(kind, {})
    best: str | None = None
    needs_reason = False
    for role in principal.roles:
        entry = rows.get(role, {}).get("own" if own else "any")
        if entry is None:
            continue
        if entry.startswith("reason:"):
            if not (reason and reason.strip()):
                needs_reason = True
                continue
            entry = entry[len("reason:"):]
        if RANK.get(entry, 0) > RANK.get(best, 0):
            best = entry
    if best is None:
        if needs_reason:
            raise AccessDenied("reading this record is a search: state why with ?reason=...", "reason")
        raise AccessDenied(f"your roles do not give access to this {kind}")
    return best


def shape_contact(body: dict[str, object], view: str) -> dict[str, object]:
    keep = VIEWS[view]
    if keep is None:
        return body
    allowed = set(CONTACT_ALWAYS) | set(keep)
    return {k: v for k, v in body.items() if k in allowed}
