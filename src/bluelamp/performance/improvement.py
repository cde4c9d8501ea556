"""Use cases of areas for improvement: raise, update, act, and the progress of each since it was raised.

Each change is one transaction with its audit entry. An item's baseline is the value of each linked
measure over the 28 days before it was raised, taken from the records when it is raised (and again
when its measures change), so the progress report can show the trend since then.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.identity.model import Principal
from bluelamp.performance import service
from bluelamp.performance.model import SPECS, PeriodError, rag, trend
from bluelamp.performance.store import ImprovementAction, ImprovementItem

KINDS = {"cause_of_concern": "Cause of concern", "recommendation": "Recommendation", "afi": "Area for improvement"}
STATUSES = {"awaiting_review": "Awaiting review", "being_progressed": "Being progressed", "complete": "Complete"}
WINDOW_DAYS = 28


class ImprovementError(ValueError):
    """A bad request about an item; `field` names the input at fault, `status` the HTTP status."""

    def __init__(self, message: str, field: str = "body", status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


def _check(kind: str | None, status: str | None, measures: list[str] | None) -> None:
    if kind is not None and kind not in KINDS:
        raise ImprovementError(f"kind must be one of {', '.join(KINDS)}", "kind")
    if status is not None and status not in STATUSES:
        raise ImprovementError(f"status must be one of {', '.join(STATUSES)}", "status")
    unknown = [m for m in measures or [] if m not in SPECS]
    if unknown:
        raise ImprovementError(f"unknown measure {unknown[0]!r}", "measures")


def values_for(session: Session, keys: list[str], d_from: date, d_to: date) -> dict[str, Any]:
    """The linked measures' values over a period (force level), with their record counts."""
    if not keys:
        return {}
    scope = service.make_scope(d_from, d_to)
    figs = service.figures(session, scope, (d_from, d_to))
    out = {}
    for key in keys:
        spec = SPECS[key]
        fig = figs.get(key)
        value = None if fig is None or spec.no_data_reason else fig.value(spec.unit)
        out[key] = {"value": value, "records": fig.denominator if fig else 0,
                    "from": d_from.isoformat(), "to": d_to.isoformat()}
    return out


def _baseline(session: Session, keys: list[str], raised_on: date) -> dict[str, Any]:
    return values_for(session, keys, raised_on - timedelta(days=WINDOW_DAYS), raised_on - timedelta(days=1))


def _snapshot(item: ImprovementItem) -> dict[str, Any]:
    return {"kind": item.kind, "reference": item.reference, "title": item.title, "owner": item.owner,
            "due_date": item.due_date.isoformat() if item.due_date else None, "status": item.status,
            "measures": list(item.measures or []), "parent_id": item.parent_id}


def create_item(session: Session, principal: Principal, *, kind: str, reference: str, title: str, owner: str,
                description: str = "", source: str = "", due_date: date | None = None,
                measures: list[str] | None = None, parent_id: int | None = None,
                raised_on: date | None = None, status: str = "awaiting_review") -> ImprovementItem:
    _check(kind, status, measures)
    if not reference.strip() or not title.strip() or not owner.strip():
        raise ImprovementError("reference, title and owner are required", "reference")
    if session.execute(select(ImprovementItem.id).where(ImprovementItem.reference == reference.strip())).first():
        raise ImprovementError(f"reference {reference!r} is already used", "reference", 409)
    if parent_id is not None and session.get(ImprovementItem, parent_id) is None:
        raise ImprovementError(f"no item {parent_id}", "parent_id")
    now = clock.now()
    raised = raised_on or now.astimezone(service.zone()).date()
    keys = list(dict.fromkeys(measures or []))
    item = ImprovementItem(
        kind=kind, reference=reference.strip(), title=title.strip(), description=description, source=source,
        parent_id=parent_id, owner=owner.strip(), raised_on=raised, due_date=due_date, status=status,
        measures=keys, baseline=_baseline(session, keys, raised), created_at=now, created_by=principal.actor,
        updated_at=now, completed_at=now if status == "complete" else None)
    session.add(item)
    session.flush()
    audit.record(session, principal.actor, "performance.item_raised", "perf_improvement", item.id,
                 after=_snapshot(item))
    return item


def get_item(session: Session, item_id: int, for_update: bool = False) -> ImprovementItem:
    query = select(ImprovementItem).where(ImprovementItem.id == item_id)
    if for_update:
        query = query.with_for_update()
    item = session.execute(query).scalar_one_or_none()
    if item is None:
        raise ImprovementError(f"no item {item_id}", "item_id", 404)
    return item


def update_item(session: Session, item_id: int, principal: Principal, **changes: Any) -> ImprovementItem:
    """Change the status, owner, due date, title, description or linked measures of an item."""
    item = get_item(session, item_id, for_update=True)
    _check(None, changes.get("status"), changes.get("measures"))
    before = _snapshot(item)
    for name in ("title", "description", "owner", "due_date", "status", "source"):
        if changes.get(name) is not None:
            setattr(item, name, changes[name])
    if changes.get("measures") is not None:
        keys = list(dict.fromkeys(changes["measures"]))
        added = [k for k in keys if k not in (item.baseline or {})]
        item.measures = keys
        item.baseline = {**{k: v for k, v in (item.baseline or {}).items() if k in keys},
                         **_baseline(session, added, item.raised_on)}
    now = clock.now()
    item.updated_at = now
    item.completed_at = (item.completed_at or now) if item.status == "complete" else None
    after = _snapshot(item)
    if after != before:
        audit.record(session, principal.actor, "performance.item_updated", "perf_improvement", item.id,
                     before=before, after=after)
    return item


def add_action(session: Session, item_id: int, principal: Principal, *, description: str, owner: str,
               due_date: date | None = None) -> ImprovementAction:
    item = get_item(session, item_id, for_update=True)
    if not description.strip() or not owner.strip():
        raise ImprovementError("description and owner are required", "description")
    action = ImprovementAction(item_id=item.id, description=description.strip(), owner=owner.strip(),
                               due_date=due_date, created_at=clock.now(), created_by=principal.actor)
    session.add(action)
    session.flush()
    audit.record(session, principal.actor, "performance.action_added", "perf_improvement", item.id,
                 after={"action_id": action.id, "description": action.description, "owner": action.owner,
                        "due_date": due_date.isoformat() if due_date else None})
    return action


def complete_action(session: Session, item_id: int, action_id: int, principal: Principal,
                    note: str | None = None) -> ImprovementAction:
    action = session.get(ImprovementAction, action_id)
    if action is None or action.item_id != item_id:
        raise ImprovementError(f"no action {action_id} on item {item_id}", "action_id", 404)
    if action.done_at is not None:
        raise ImprovementError("this action is already done", "action_id", 409)
    action.done_at, action.note = clock.now(), note
    audit.record(session, principal.actor, "performance.action_done", "perf_improvement", item_id,
                 after={"action_id": action.id, "note": note})
    return action


def list_items(session: Session, status: str | None = None) -> list[ImprovementItem]:
    query = select(ImprovementItem).order_by(ImprovementItem.parent_id.is_not(None), ImprovementItem.id)
    if status:
        _check(None, status, None)
        query = query.where(ImprovementItem.status == status)
    return list(session.execute(query).scalars())


def actions_of(session: Session, item_ids: list[int]) -> dict[int, list[ImprovementAction]]:
    out: dict[int, list[ImprovementAction]] = {i: [] for i in item_ids}
    if item_ids:
        for a in session.execute(select(ImprovementAction).where(ImprovementAction.item_id.in_(item_ids))
                                 .order_by(ImprovementAction.id)).scalars():
            out[a.item_id].append(a)
    return out


def item_json(item: ImprovementItem, actions: list[ImprovementAction], progress: list[dict[str, Any]] | None = None,
              today: date | None = None) -> dict[str, Any]:
    today = today or clock.now().astimezone(service.zone()).date()
    return {
        "id": item.id, "kind": item.kind, "kind_label": KINDS[item.kind], "reference": item.reference,
        "title": item.title, "description": item.description, "source": item.source, "parent_id": item.parent_id,
        "owner": item.owner, "raised_on": item.raised_on.isoformat(),
        "due_date": item.due_date.isoformat() if item.due_date else None,
        "overdue": bool(item.due_date and item.due_date < today and item.status != "complete"),
        "status": item.status, "status_label": STATUSES[item.status], "measures": list(item.measures or []),
        "baseline": item.baseline or {}, "progress": progress,
        "actions": [{"id": a.id, "description": a.description, "owner": a.owner,
                     "due_date": a.due_date.isoformat() if a.due_date else None,
                     "done_at": clock.iso(a.done_at), "note": a.note,
                     "overdue": bool(a.due_date and a.due_date < today and a.done_at is None)} for a in actions],
    }


def progress(session: Session, items: list[ImprovementItem], d_to: date | None = None) -> dict[int, list[dict[str, Any]]]:
    """Each item's measures now (the last 28 days to `d_to`) against its baseline, with RAG and trend."""
    today = d_to or clock.now().astimezone(service.zone()).date()
    keys = sorted({k for i in items for k in (i.measures or [])})
    try:
        now = values_for(session, keys, today - timedelta(days=WINDOW_DAYS - 1), today)
    except PeriodError:  # pragma: no cover - the window is fixed and valid
        now = {}
    floor = service.min_records_setting()
    out: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        rows = []
        for key in item.measures or []:
            spec, current, base = SPECS[key], now.get(key, {}), (item.baseline or {}).get(key, {})
            value, before = current.get("value"), base.get("value")
            rows.append({"key": key, "label": spec.label, "unit": spec.unit, "target": spec.target,
                         "value": value, "records": current.get("records", 0),
                         "small_number": value is not None and current.get("records", 0) < floor,
                         "baseline": before, "baseline_period": [base.get("from"), base.get("to")],
                         "rag": rag(spec, value), "trend": trend(spec, value, before),
                         "records_link": service.records_link(key, today - timedelta(days=WINDOW_DAYS - 1),
                                                              today, None, None, "police")})
        out[item.id] = rows
    return out


def report(session: Session, d_to: date | None = None) -> dict[str, Any]:
    """Everything the progress report shows: items with actions and their measures since raised."""
    items = list_items(session)
    acts = actions_of(session, [i.id for i in items])
    prog = progress(session, items, d_to)
    today = d_to or clock.now().astimezone(service.zone()).date()
    rows = [item_json(i, acts[i.id], prog[i.id], today) for i in items]
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES}
    return {"as_of": today.isoformat(), "generated_at": clock.iso(clock.now()), "items": rows, "counts": counts,
            "window_days": WINDOW_DAYS, "statuses": STATUSES, "kinds": KINDS}

