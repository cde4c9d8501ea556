"""Need to know, written as data: for each record kind, role and relationship, the view it gets.

Relationships: `own` (the principal recorded or decided the contact, or serves the chat; for a crime
or its victim: the principal is the officer in charge or in the OIC's team), `online_queue` (an online
report still waiting in the queue that chat operators work), `team` (a contact recorded in the
principal's team, their control room; a contact recorded with no team, such as an import or one from
before teams, counts as every team's) and `any`. A role without a column reads it as the next wider
one (FALLBACK: an online report in the queue as `team`) and then as `any`. A view is
a name from VIEWS (which parts of the record are shown), or None (refused, 403). `reason:` before a
view means the read is a search that must state a reason (`?reason=`), which the access log keeps.
With several roles, the widest view wins. docs/security.md explains each row.
"""

from __future__ import annotations

from typing import Any, Protocol

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
        # Supervisors oversee their control room in full and approve other rooms' decisions when asked,
        # so they read every contact, without other people's household details outside their team.
        "supervisor": {"own": FULL, "team": FULL, "any": "no_household"},
        # A live call needs the caller's history in the handler's own control room; wider is a search.
        "call_handler": {"own": FULL, "team": "no_household", "any": "reason:no_household"},
        # Their chats' contacts and the online-report queue they work (issue 12 item 2); nothing else.
        "chat_operator": {"own": FULL, "online_queue": FULL, "any": None},
        "dispatcher": {"own": "dispatch", "team": "dispatch", "any": "reason:dispatch"},
        "investigator": {"own": "no_household", "team": "no_household", "any": "reason:no_household"},
        "cab_officer": {"own": "no_household", "team": "no_household", "any": "reason:no_household"},
        "victim_care": {"own": "no_household", "team": "no_household", "any": "reason:no_household"},
        "auditor": {"own": "reason:no_household", "any": "reason:no_household"},
    },
    "person": {
        "supervisor": {"own": FULL, "any": FULL},
        "call_handler": {"own": FULL, "any": FULL},
    },
    # A crime and its victims (with their DASH and MARAC): investigators and victim care read their
    # team's crimes; anything wider is a search with a stated reason. Supervisors oversee reviews and
    # closures across teams and the bureau works every crime's paperwork, so both read all of them.
    "crime": {
        "supervisor": {"own": FULL, "any": FULL},
        "investigator": {"own": FULL, "any": "reason:" + FULL},
        "victim_care": {"own": FULL, "any": "reason:" + FULL},
        "cab_officer": {"own": FULL, "any": FULL},
        "auditor": {"own": "reason:" + FULL, "any": "reason:" + FULL},
    },
    "chat": {  # (in the order the chat routes' refusal names them)
        "chat_operator": {"own": FULL, "any": None},
        "supervisor": {"own": FULL, "any": FULL},
        "call_handler": {"own": FULL, "any": FULL},
        "auditor": {"own": "reason:" + FULL, "any": "reason:" + FULL},
    },
}


def readers(kind: str) -> tuple[str, ...]:
    """The roles that read some record of this kind (POLICY's rows): the role guard of its read routes,
    so that route and record checks come from one table (`admin` passes every guard anyway)."""
    return tuple(POLICY[kind])


class AccessDenied(Exception):
    def __init__(self, message: str, field: str = "role") -> None:
        super().__init__(message)
        self.field = field


class ContactLike(Protocol):
    @property
    def recorded_by(self) -> str | None: ...
    @property
    def channel(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def decision(self) -> dict[str, Any] | None: ...
    @property
    def team(self) -> str | None: ...


QUEUED = ("awaiting_decision",)
# An online report in the queue belongs to no control room yet: a role with no online-queue column
# reads it as its team view (the force's shared queue), not as `any`.
FALLBACK: dict[str, tuple[str, ...]] = {"online_queue": ("team",)}  # awaiting approval is a supervisor's, not the queue's


def contact_relation(principal: Principal, contact: ContactLike) -> str:
    """How the principal stands to a contact: `own` (recorded it, or made its decision: its handler),
    `online_queue` (an online report still in the queue), `team` (recorded in the principal's team, or
    in no team), or `any`. The one team read check of contacts: every list, search and read calls it."""
    decided_by = (contact.decision or {}).get("by")
    if principal.actor in (contact.recorded_by, decided_by):
        return "own"
    if contact.channel == "online" and contact.status in QUEUED:
        return "online_queue"
    if contact.team is None or (principal.team is not None and principal.team == contact.team):
        return "team"
    return "any"


def reads_other_teams(kind: str, principal: Principal) -> bool:
    """Whether any of the principal's roles reads another team's record of this kind without a reason."""
    try:
        view_for(kind, principal, "any")
    except AccessDenied:
        return False
    return True


def view_for(kind: str, principal: Principal, own: bool | str, reason: str | None = None) -> str:
    """The widest view the principal's roles give on this record, or AccessDenied. `own` is True/False
    or a relationship name (contact_relation)."""
    if "admin" in principal.roles:
        return FULL
    relation = own if isinstance(own, str) else ("own" if own else "any")
    rows = POLICY.get(kind, {})
    best: str | None = None
    needs_reason = False
    for role in principal.roles:
        row = rows.get(role, {})
        # a role without the column reads it as the next wider one (FALLBACK), and in the end as `any`
        entry = next((row[r] for r in (relation, *FALLBACK.get(relation, ())) if r in row), row.get("any"))
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


# Who may change a crime's plan, actions, closure or victim work, by relationship to the crime
# (issue 12 item 8): its officer in charge, their team, or their team's supervisor. Nobody else;
# `admin` may do everything. A user with no team has no team rights, and a crime with no team
# (recorded before teams) can be changed only by its OIC until a supervisor reassigns it.
RELATIONS = ("oic", "team", "supervisor")
CHANGE: dict[str, dict[str, tuple[str, ...]]] = {
    "crime": {"oic": ("investigator", "supervisor"), "team": ("investigator",), "supervisor": ("supervisor",)},
    "victim": {"oic": ("investigator", "supervisor"), "team": ("investigator", "victim_care", "cab_officer"),
               "supervisor": ("supervisor",)},
}
OIC_ROLE = "investigator"  # the officer in charge is a real user with this role


def relations(principal: Principal, oic: str, team: str | None) -> set[str]:
    """How the principal stands to a crime with this OIC and team."""
    found: set[str] = set()
    if principal.username == oic:
        found.add("oic")
    if team is not None and principal.team == team:
        found.add("team")
        if "supervisor" in principal.roles:
            found.add("supervisor")
    return found


def check_change(kind: str, principal: Principal, oic: str, team: str | None) -> str:
    """The relationship that lets the principal change this crime (or its victim work), or AccessDenied."""
    if "admin" in principal.roles:
        return "admin"
    rows = CHANGE[kind]
    for rel in RELATIONS:
        if rel in relations(principal, oic, team) and principal.roles.intersection(rows[rel]):
            return rel
    what = "this crime" if kind == "crime" else "this victim's care"
    raise AccessDenied(f"only the officer in charge ({oic}), their team or their supervisor may change {what}",
                       "oic")


def reads_crime_as_own(principal: Principal, oic: str, team: str | None) -> bool:
    """The `own` relationship for reading a crime: the OIC or the OIC's team."""
    return bool(relations(principal, oic, team))


def check_not_requester(principal: Principal, requested_by: str | None, what: str) -> None:
    """Reviews, closure approvals and downgrade approvals: by a supervisor who is not the requester
    (the one definition of this control; contacts, incidents and crimes all call it)."""
    if not principal.has_any("supervisor"):
        raise AccessDenied(f"only a supervisor may {what}")
    if requested_by is not None and requested_by in (principal.actor, principal.username):
        raise AccessDenied(f"a supervisor may not {what} of their own: another supervisor must", "approver")


def shape_contact(body: dict[str, object], view: str) -> dict[str, object]:
    keep = VIEWS[view]
    if keep is None:
        return body
    allowed = set(CONTACT_ALWAYS) | set(keep)
    return {k: v for k, v in body.items() if k in allowed}
