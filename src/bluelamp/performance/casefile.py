"""The case-file audit: the inspectorate's quality-of-service check, run by the force on itself.

A sample of crimes reported in a period is drawn at random by offence group with a seed (the same
seed over the same records always draws the same crimes). Each sampled crime gets a checklist of five
stages (call handling; deployment and response; crime recording; investigation; outcomes), each item
pre-filled from the records with the evidence it rests on. A reviewer confirms or corrects each item;
the roll-up counts what the records said, what the reviewer found, and how often they differed.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.contact.store import Contact, ContactPerson
from bluelamp.crime.store import Crime, SupervisoryReview
from bluelamp.identity.model import Principal
from bluelamp.performance import service
from bluelamp.performance.model import check_period
from bluelamp.performance.store import CaseAudit, CaseAuditItem
from bluelamp.response.store import Incident
from bluelamp.victims.store import Right6Clock, Victim

STAGES = {
    "call_handling": "Call handling",
    "deployment": "Deployment and response",
    "recording": "Crime recording",
    "investigation": "Investigation",
    "outcomes": "Outcomes",
}
CHECKS: dict[str, tuple[str, str]] = {
    "thrive_recorded": ("call_handling", "A structured risk assessment (THRIVE) was recorded"),
    "repeat_victim_checked": ("call_handling", "The victim was identified, so repeat victimisation was checked"),
    "vulnerability_considered": ("call_handling", "Vulnerability was identified or the household checked"),
    "graded_appropriately": ("deployment", "Any downgrade from the proposed grade had a supervisor's decision"),
    "attended_in_time": ("deployment", "Officers arrived within the grade's target"),
    "recorded_24h": ("recording", "The crime was recorded within 24 hours of the report"),
    "plan_recorded": ("investigation", "An investigation plan was recorded"),
    "plan_quality": ("investigation", "The plan scored 60 or more"),
    "reviews_on_time": ("investigation", "Supervisory reviews were on time and none is overdue"),
    "needs_assessed": ("investigation", "The victim's needs were assessed"),
    "victim_updated": ("investigation", "The victim was told of every Right 6 event in time"),
    "outcome_recorded": ("outcomes", "The crime was closed with a Home Office outcome"),
    "outcome_evidenced": ("outcomes", "The outcome's evidence (victim's wishes, references) was recorded"),
}
FINDINGS = ("yes", "no", "n/a")
MAX_PER_GROUP = 200


class CaseAuditError(ValueError):
    def __init__(self, message: str, field: str = "body", status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


def draw(session: Session, d_from: date, d_to: date, per_group: int, seed: int,
         groups: list[str] | None = None) -> dict[str, list[int]]:
    """The sample: for each offence group, `per_group` crimes chosen with a generator seeded by group."""
    scope = service.make_scope(d_from, d_to)
    query = select(Crime.offence_group, Crime.id).where(Crime.reported_at >= scope.start,
                                                         Crime.reported_at < scope.end)
    if groups:
        query = query.where(Crime.offence_group.in_(groups))
    by_group: dict[str, list[int]] = {}
    for group, cid in session.execute(query.order_by(Crime.offence_group, Crime.id)):
        by_group.setdefault(group, []).append(int(cid))
    return {g: sorted(random.Random(f"{seed}:{g}").sample(ids, min(per_group, len(ids))))
            for g, ids in sorted(by_group.items())}


def start_audit(session: Session, principal: Principal, *, d_from: date, d_to: date, per_group: int = 5,
                seed: int | None = None, groups: list[str] | None = None, title: str | None = None) -> CaseAudit:
    """Draw the sample and pre-fill every checklist item from the records."""
    try:
        check_period(d_from, d_to)
    except ValueError as exc:
        raise CaseAuditError(str(exc), "from") from None
    if not 1 <= per_group <= MAX_PER_GROUP:
        raise CaseAuditError(f"per_group must be 1 to {MAX_PER_GROUP}", "per_group")
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31 - 1)
    sample = draw(session, d_from, d_to, per_group, seed, groups)
    if not any(sample.values()):
        raise CaseAuditError("no crimes were reported in the period", "from")
    now = clock.now()
    case = CaseAudit(title=title or f"Case-file audit {d_from} to {d_to}", period_from=d_from, period_to=d_to,
                     seed=seed, per_group=per_group, groups=sorted(sample), status="open", created_at=now,
                     created_by=principal.actor)
    session.add(case)
    session.flush()
    ids = [cid for g in sample.values() for cid in g]
    facts = _facts(session, ids, now)
    rows = []
    for cid in ids:
        crime = facts[cid]["crime"]
        for check, answer in prefill(facts[cid]).items():
            stage = CHECKS[check][0]
            rows.append(CaseAuditItem(audit_id=case.id, crime_id=cid, offence_group=crime.offence_group,
                                      stage=stage, check=check, prefilled=answer[0], evidence=answer[1]))
    session.add_all(rows)
    session.flush()
    audit.record(session, principal.actor, "performance.case_audit_started", "perf_case_audit", case.id,
                 after={"from": d_from.isoformat(), "to": d_to.isoformat(), "seed": seed, "per_group": per_group,
                        "crimes": ids})
    return case


def _facts(session: Session, ids: list[int], now: datetime) -> dict[int, dict[str, Any]]:
    """Everything the checklist needs about the sampled crimes, a few queries in all (never one per crime)."""
    crimes = {c.id: c for c in session.execute(select(Crime).where(Crime.id.in_(ids))).scalars()}
    contact_ids = [c.contact_id for c in crimes.values() if c.contact_id]
    contacts = {c.id: c for c in session.execute(select(Contact).where(Contact.id.in_(contact_ids))).scalars()}
    people = set(session.execute(select(ContactPerson.contact_id).where(
        ContactPerson.contact_id.in_(contact_ids))).scalars())
    incident_by_contact = {i.contact_id: i for i in session.execute(
        select(Incident).where(Incident.contact_id.in_(contact_ids))).scalars()}
    incident_ids = [c.incident_id for c in crimes.values() if c.incident_id]
    incidents = {i.id: i for i in session.execute(select(Incident).where(Incident.id.in_(incident_ids))).scalars()}
    late_reviews = dict(session.execute(
        select(SupervisoryReview.crime_id, func.count()).where(SupervisoryReview.crime_id.in_(ids),
                                                               SupervisoryReview.late.is_(True))
        .group_by(SupervisoryReview.crime_id)).all())
    victims: dict[int, list[Victim]] = {}
    for v in session.execute(select(Victim).where(Victim.crime_id.in_(ids))).scalars():
        victims.setdefault(v.crime_id, []).append(v)
    clocks: dict[int, list[Right6Clock]] = {}
    for c in session.execute(select(Right6Clock).where(Right6Clock.crime_id.in_(ids))).scalars():
        clocks.setdefault(c.crime_id, []).append(c)
    out = {}
    for cid, crime in crimes.items():
        contact = contacts.get(crime.contact_id) if crime.contact_id else None
        incident = incidents.get(crime.incident_id) if crime.incident_id else None
        if incident is None and contact is not None:
            incident = incident_by_contact.get(contact.id)
        out[cid] = {"crime": crime, "contact": contact, "identified": contact is not None and contact.id in people,
                    "incident": incident, "late_reviews": int(late_reviews.get(cid, 0)),
                    "victims": victims.get(cid, []), "clocks": clocks.get(cid, []), "now": now}
    return out


def prefill(f: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """What the records say for each check: (`yes` | `no` | `n/a`, the evidence)."""
    crime: Crime = f["crime"]
    contact: Contact | None = f["contact"]
    incident: Incident | None = f["incident"]
    now: datetime = f["now"]
    out: dict[str, tuple[str, str]] = {}
    if contact is None:
        for check in ("thrive_recorded", "repeat_victim_checked", "vulnerability_considered", "graded_appropriately"):
            out[check] = ("n/a", "no contact record: the crime was recorded directly")
    else:
        risk = ((contact.proposal or {}).get("thrive") or {}).get("risk")
        out["thrive_recorded"] = ("yes", f"contact {contact.id}: THRIVE risk {risk}") if risk else \
            ("no", f"contact {contact.id}: no THRIVE assessment stored")
        out["repeat_victim_checked"] = ("yes", f"contact {contact.id}: a person was identified") if f["identified"] \
            else ("no", f"contact {contact.id}: nobody identified, so no repeat check")
        flags, household = list(contact.flags or []), list(contact.household or [])
        out["vulnerability_considered"] = (
            ("yes", f"flags: {', '.join(flags) or 'none'}; household: {len(household)} flagged")
            if flags or household or f["identified"] else ("no", "no flags, nobody identified"))
        decision = contact.decision or {}
        if decision.get("downgrade") or decision.get("refused_by"):
            judged = decision.get("approved_by") or decision.get("refused_by")
            out["graded_appropriately"] = ("yes", f"downgrade decided by {judged}") if judged else \
                ("no", "downgrade with no supervisor's decision")
        else:
            out["graded_appropriately"] = ("yes", f"grade {contact.grade} as proposed")
    if incident is None or incident.attend_by is None:
        out["attended_in_time"] = ("n/a", "no attendance was required")
    elif incident.arrived_at is None:
        out["attended_in_time"] = ("no", f"incident {incident.id}: no arrival recorded")
    else:
        mins = (incident.arrived_at - incident.received_at).total_seconds() / 60
        out["attended_in_time"] = ("yes" if incident.arrived_at <= incident.attend_by else "no",
                                   f"incident {incident.id}: grade {incident.grade}, arrived after {mins:.0f} min")
    if crime.recorded_at is None:
        out["recorded_24h"] = ("no", "not recorded yet")
    else:
        hours = (crime.recorded_at - crime.reported_at).total_seconds() / 3600
        out["recorded_24h"] = ("yes" if crime.recorded_at <= crime.record_due_at else "no",
                               f"recorded {hours:.1f} h after the report")
    score = crime.plan_score
    out["plan_recorded"] = ("yes", f"plan score {score}") if score is not None else ("no", "no plan")
    out["plan_quality"] = ("n/a", "no plan") if score is None else \
        ("yes" if score >= 60 else "no", f"plan score {score}")
    overdue = crime.status != "closed" and crime.next_review_due_at is not None and crime.next_review_due_at < now
    out["reviews_on_time"] = ("no" if f["late_reviews"] or overdue else "yes",
                              f"{f['late_reviews']} late review(s)" + ("; a review is overdue" if overdue else ""))
    victims: list[Victim] = f["victims"]
    if not victims:
        out["needs_assessed"] = ("n/a", "no victim recorded")
    else:
        done = sum(1 for v in victims if v.needs_assessed_at is not None)
        out["needs_assessed"] = ("yes" if done == len(victims) else "no", f"{done} of {len(victims)} assessed")
    due = [c for c in f["clocks"] if c.due_at <= now or c.met_at is not None]
    if not due:
        out["victim_updated"] = ("n/a", "no Right 6 event has fallen due")
    else:
        ok = sum(1 for c in due if c.met_at is not None and c.met_at <= c.due_at)
        out["victim_updated"] = ("yes" if ok == len(due) else "no", f"{ok} of {len(due)} Right 6 clocks met in time")
    if crime.status != "closed":
        out["outcome_recorded"] = ("n/a", f"still {crime.status}")
        out["outcome_evidenced"] = ("n/a", f"still {crime.status}")
    else:
        out["outcome_recorded"] = ("yes", f"outcome {crime.outcome}") if crime.outcome else ("no", "closed, no outcome")
        evidence = {k: v for k, v in (crime.outcome_evidence or {}).items() if v}
        out["outcome_evidenced"] = ("yes", f"recorded: {', '.join(sorted(evidence))}") if evidence else \
            ("no", "no outcome evidence recorded")
    return out


def get_audit(session: Session, audit_id: int) -> CaseAudit:
    case = session.get(CaseAudit, audit_id)
    if case is None:
        raise CaseAuditError(f"no case-file audit {audit_id}", "audit_id", 404)
    return case


def items_of(session: Session, audit_id: int) -> list[CaseAuditItem]:
    return list(session.execute(select(CaseAuditItem).where(CaseAuditItem.audit_id == audit_id)
                                .order_by(CaseAuditItem.offence_group, CaseAuditItem.crime_id, CaseAuditItem.id))
                .scalars())


def review_item(session: Session, audit_id: int, item_id: int, principal: Principal, *, finding: str,
                note: str | None = None) -> CaseAuditItem:
    """The reviewer confirms (the same answer) or corrects (another answer, with a note) one item."""
    if finding not in FINDINGS:
        raise CaseAuditError(f"finding must be one of {', '.join(FINDINGS)}", "finding")
    item = session.get(CaseAuditItem, item_id)
    if item is None or item.audit_id != audit_id:
        raise CaseAuditError(f"no item {item_id} in audit {audit_id}", "item_id", 404)
    if finding != item.prefilled and not (note and note.strip()):
        raise CaseAuditError("a note is required when correcting what the records say", "note")
    before = {"finding": item.finding, "note": item.note}
    item.finding, item.note, item.reviewed_by, item.reviewed_at = finding, note, principal.actor, clock.now()
    audit.record(session, principal.actor, "performance.case_audit_reviewed", "perf_case_audit", audit_id,
                 before={"item_id": item.id, **before},
                 after={"item_id": item.id, "crime_id": item.crime_id, "check": item.check, "finding": finding,
                        "prefilled": item.prefilled, "note": note})
    return item


def rollup(session: Session, audit_id: int) -> dict[str, Any]:
    """The quality-of-service report: per stage and check, and per offence group."""
    case = get_audit(session, audit_id)
    items = items_of(session, audit_id)
    checks: dict[str, dict[str, Any]] = {
        k: {"check": k, "stage": s, "label": label, "yes": 0, "no": 0, "na": 0, "reviewed": 0, "corrected": 0}
        for k, (s, label) in CHECKS.items()}
    groups: dict[str, dict[str, Any]] = {}
    for it in items:
        final = it.finding or it.prefilled
        row = checks[it.check]
        row[{"yes": "yes", "no": "no"}.get(final, "na")] += 1
        row["reviewed"] += it.finding is not None
        row["corrected"] += it.finding is not None and it.finding != it.prefilled
        g = groups.setdefault(it.offence_group, {"group": it.offence_group, "crimes": set(), "yes": 0, "no": 0})
        g["crimes"].add(it.crime_id)
        if final in ("yes", "no"):
            g[final] += 1
    for row in checks.values():
        row["share_yes"] = round(row["yes"] / (row["yes"] + row["no"]), 3) if row["yes"] + row["no"] else None
    stages = []
    for key, label in STAGES.items():
        rows = [r for r in checks.values() if r["stage"] == key]
        yes, no = sum(r["yes"] for r in rows), sum(r["no"] for r in rows)
        stages.append({"stage": key, "label": label, "yes": yes, "no": no,
                       "share_yes": round(yes / (yes + no), 3) if yes + no else None, "checks": rows})
    group_rows = [{"group": g["group"], "crimes": len(g["crimes"]), "yes": g["yes"], "no": g["no"],
                   "share_yes": round(g["yes"] / (g["yes"] + g["no"]), 3) if g["yes"] + g["no"] else None}
                  for g in sorted(groups.values(), key=lambda g: g["group"])]
    reviewed = sum(1 for it in items if it.finding is not None)
    return {"id": case.id, "title": case.title, "from": case.period_from.isoformat(),
            "to": case.period_to.isoformat(), "seed": case.seed, "per_group": case.per_group,
            "crimes": len({it.crime_id for it in items}), "items": len(items), "reviewed": reviewed,
            "corrected": sum(r["corrected"] for r in checks.values()), "stages": stages, "groups": group_rows,
            "created_by": case.created_by, "created_at": clock.iso(case.created_at)}


def list_audits(session: Session) -> list[CaseAudit]:
    return list(session.execute(select(CaseAudit).order_by(CaseAudit.id.desc()).limit(200)).scalars())


def default_period(today: date) -> tuple[date, date]:
    """Last calendar month: the monthly self-check."""
    first = today.replace(day=1)
    last = first - timedelta(days=1)
    return last.replace(day=1), last
