"""Use cases of the telephony context: take call events, derive each call, link contacts to calls.

`ingest` is the one writer of calls: it stores the new events (a repeat of (call_id, event, at) is a
duplicate, counted and dropped), locks the calls they touch, derives each call again from *all* its
events, and then acts on what changed: an abandoned 101 call with a number becomes a call-back item,
an abandoned 999 call raises an alert (never a queue item), a call that turns out to have been
answered closes a call-back item nobody has tried yet. One audit entry per batch (the call ids, never
the numbers), one per call-back item and per alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.contact.matching import phone_key
from bluelamp.db.base import table
from bluelamp.policy import Policy, load_policy
from bluelamp.telephony import callbacks
from bluelamp.telephony import model as m
from bluelamp.telephony.store import Call, Callback, CallEvent

MAX_EVENTS = 1000  # per request


def settings(policy: Policy | None = None) -> Any:
    return (policy or load_policy()).doc("telephony")


def ingest(session: Session, items: Sequence[Any], actor: str, now: datetime | None = None,
           policy: Policy | None = None) -> dict[str, Any]:
    """Store a batch of the platform's events; `{"accepted", "duplicates", "rejected": [{"index", "detail"}]}`."""
    now = now or clock.now()
    policy = policy or load_policy()
    if len(items) > MAX_EVENTS:
        raise m.TelephonyError(f"at most {MAX_EVENTS} events per request", "body", 413)
    rejected: list[dict[str, Any]] = []
    fresh: dict[tuple[str, str, datetime], m.CallEvent] = {}
    duplicates = 0
    for index, raw in enumerate(items):
        try:
            event = m.parse_event(raw, now)
        except m.TelephonyError as exc:
            rejected.append({"index": index, "detail": f"{exc.field}: {exc}"})
            continue
        key = (event.call_id, event.event, event.at)
        if key in fresh:
            duplicates += 1
        else:
            fresh[key] = event
    accepted = _insert(session, list(fresh.values()), actor, now)
    duplicates += len(fresh) - accepted
    touched = sorted({e.call_id for e in fresh.values()})
    changes = rederive(session, touched, now, policy, actor) if accepted else {}
    audit.record(session, actor, "telephony.events_received", "telephony_feed", now.isoformat(), after={
        "accepted": accepted, "duplicates": duplicates, "rejected": len(rejected),
        "calls": touched[:200], **({"follow_up": changes} if changes else {}),
    })
    return {"accepted": accepted, "duplicates": duplicates, "rejected": rejected}


@lru_cache(maxsize=4)
def _statements(dialect: str) -> dict[str, Any]:
    """The feed's statements, built once per dialect: at 200 events a second, building SQL constructs
    again for every request costs more CPU than running them."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    ids: Any = bindparam("ids", expanding=True)
    calls = select(Call).where(Call.call_id.in_(ids)).order_by(Call.call_id)
    return {
        "events": insert(CallEvent).on_conflict_do_nothing(index_elements=["call_id", "event", "at"])
        .returning(CallEvent.id),
        "stubs": insert(Call).on_conflict_do_nothing(index_elements=["call_id"]),
        "calls": calls.with_for_update() if dialect == "postgresql" else calls,
        "history": select(CallEvent.call_id, CallEvent.event, CallEvent.line, CallEvent.at, CallEvent.number,
                          CallEvent.handler).where(CallEvent.call_id.in_(ids)),
        "items": select(Callback).where(Callback.call_id.in_(ids)),
    }


def _sql(session: Session) -> dict[str, Any]:
    return _statements(session.get_bind().dialect.name)


def _insert(session: Session, events: list[m.CallEvent], actor: str, now: datetime) -> int:
    """Insert the events that are not stored yet; returns how many were new."""
    if not events:
        return 0
    rows = [{"call_id": e.call_id, "event": e.event, "line": e.line, "at": e.at, "number": e.number,
             "handler": e.handler, "received_at": now, "received_by": actor} for e in events]
    return len(session.connection().execute(_sql(session)["events"], rows).all())


def rederive(session: Session, call_ids: list[str], now: datetime, policy: Policy, actor: str) -> dict[str, int]:
    """Derive these calls again from all their events and act on what follows (items, alerts)."""
    sql = _sql(session)
    calls = _lock_calls(session, call_ids, now)
    by_call: dict[str, list[m.CallEvent]] = {cid: [] for cid in call_ids}
    for cid, event, line, at, number, handler in session.execute(sql["history"], {"ids": call_ids}):
        by_call[cid].append(m.CallEvent(cid, event, line, at, number, handler))
    doc = settings(policy)
    lines = set(doc.callback_lines)
    wanted = [c for c in call_ids if calls[c].line in lines or any(e.line in lines for e in by_call[c])]
    items = {i.call_id: i for i in session.execute(sql["items"], {"ids": wanted}).scalars()} if wanted else {}
    counts: dict[str, int] = {}
    for cid in call_ids:
        state = m.derive(cid, by_call[cid])
        call = calls[cid]
        _apply(call, state, len(by_call[cid]), now)
        for what in callbacks.follow_up(session, call, state, doc, policy.version, now, actor, items.get(cid)):
            counts[what] = counts.get(what, 0) + 1
    return counts


def _lock_calls(session: Session, call_ids: list[str], now: datetime) -> dict[str, Call]:
    """The calls' rows, created when new and locked (in call_id order) so two batches never interleave."""
    sql = _sql(session)
    stubs = [{"call_id": cid, "line": "", "outcome": "waiting", "unoffered": True, "conflicts": [], "events": 0,
              "updated_at": now} for cid in call_ids]
    session.connection().execute(sql["stubs"], stubs)
    return {c.call_id: c for c in session.execute(sql["calls"], {"ids": call_ids}).scalars()}


def _apply(call: Call, state: m.CallState, events: int, now: datetime) -> None:
    call.line = state.line
    call.offered_at, call.hour = state.offered_at, state.hour
    call.answered_at, call.answered_by = state.answered_at, state.answered_by
    call.abandoned_at, call.ended_at = state.abandoned_at, state.ended_at
    call.transferred_at, call.callback_requested_at = state.transferred_at, state.callback_requested_at
    call.answer_s, call.wait_s = state.answer_s, state.wait_s
    call.outcome, call.unoffered, call.conflicts = state.outcome, state.unoffered, list(state.conflicts)
    call.number, call.number_key = state.number, phone_key(state.number)
    call.events, call.updated_at = events, now


# --- linking a contact to the call it was recorded on ---------------------------------------------


def call_for_contact(session: Session, username: str, channel: str, now: datetime | None = None,
                     policy: Policy | None = None) -> Call | None:
    """The handler's latest answered call on a line of this channel, not yet linked, answered within
    the policy's link window: the call a contact being recorded now was taken on (None if none)."""
    lines = m.CHANNEL_LINES.get(channel)
    if not lines:
        return None
    now = now or clock.now()
    window = timedelta(minutes=settings(policy).link_window_minutes)
    # A Core look-up of the id first (this runs for every 999/101 contact recorded, and usually finds
    # nothing); the ORM object is loaded only when there is a call to link.
    params = {"by": username, "since": now - window, "until": now + m.FUTURE_SKEW,
              **{f"line_{n}": line for n, line in enumerate(lines)}}
    found = session.execute(_call_query(len(lines)), params).scalar_one_or_none()
    return session.get(Call, found) if found is not None else None


@lru_cache(maxsize=4)
def _call_query(n_lines: int) -> Any:
    """call_for_contact's query for a channel with n lines, built once with bound parameters (building
    it cost more CPU than running it). One parameter a line, not an expanding IN, which SQLAlchemy
    renders into the SQL again on every execution."""
    t = table(Call).c
    lines: list[Any] = [bindparam(f"line_{n}") for n in range(n_lines)]
    return (select(t.id).where(t.answered_by == bindparam("by"), t.contact_id.is_(None),
                               t.line.in_(lines), t.answered_at >= bindparam("since"),
                               t.answered_at <= bindparam("until"))
            .order_by(t.answered_at.desc(), t.id.desc()).limit(1))


def link_contact(session: Session, call: Call, contact_id: int, actor: str) -> None:
    """Record that the contact was taken on this call (the contact's times come from the call)."""
    call.contact_id = contact_id
    audit.record(session, actor, "telephony.call_linked", "call", call.call_id,
                 after={"contact_id": contact_id, "line": call.line})


def phone_times(call: Call | None) -> tuple[datetime | None, datetime | None]:
    """(received_at, answered_at) a contact takes from its call: the offer and the answer."""
    if call is None:
        return None, None
    return call.offered_at, call.answered_at


def call_json(c: Call, with_number: bool = False) -> dict[str, Any]:
    out = {"call_id": c.call_id, "line": c.line, "offered_at": clock.iso(c.offered_at),
           "answered_at": clock.iso(c.answered_at), "answered_by": c.answered_by,
           "abandoned_at": clock.iso(c.abandoned_at), "ended_at": clock.iso(c.ended_at),
           "callback_requested_at": clock.iso(c.callback_requested_at), "answer_s": c.answer_s,
           "wait_s": c.wait_s, "outcome": c.outcome, "unoffered": c.unoffered, "conflicts": list(c.conflicts or []),
           "contact_id": c.contact_id, "events": c.events}
    if with_number:
        out["number"] = c.number
    return out


def flagged_calls(session: Session, limit: int = 200) -> list[Call]:
    """Calls with events but no offer, or whose events disagree: kept, and shown for checking."""
    q = select(Call).where(Call.unoffered.is_(True)).order_by(Call.updated_at.desc()).limit(limit)
    return list(session.execute(q).scalars())
