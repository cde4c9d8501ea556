"""Demo data for the crime and victims contexts: a year of crimes with plans, reviews, victims, clocks,
DASH forms and bureau tasks, including deliberate failures (missed reviews, late recording, overdue
victim updates, missed Right 6 clocks) so that the alerts and queues are alive.

Rows are written with bulk INSERTs (not the use cases) because a year is ~80,000 crimes; the values
follow the same rules (policy schedules, clocks, scoring), so a crime seeded here looks like one
recorded through the service. One audit entry records the seeding.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, select
from sqlalchemy.orm import Session

from bluelamp.audit import service as audit
from bluelamp.contact.store import Contact, ContactPerson, Person
from bluelamp.crime import model
from bluelamp.crime.store import (
    BureauTask,
    Crime,
    CrimeParty,
    InvestigationPlan,
    ReviewDue,
    SupervisoryReview,
)
from bluelamp.policy import Policy, load_policy
from bluelamp.victims import model as vmodel
from bluelamp.victims.store import DashAssessment, MaracReferral, Right6Clock, Victim

OFFENCE_WEIGHTS = {
    "violence_without_injury": 16, "violence_with_injury": 10, "stalking_harassment": 12, "coercive_control": 2,
    "other_sexual_offence": 2, "rape": 1, "robbery_personal": 2, "burglary_residential": 5,
    "burglary_business": 2, "vehicle_offence": 8, "theft_from_person": 2, "bicycle_theft": 2, "shoplifting": 9,
    "other_theft": 9, "criminal_damage": 10, "arson": 1, "drug_possession": 3, "drug_trafficking": 1,
    "possession_of_weapons": 1, "public_fear_alarm_distress": 8, "miscellaneous": 2,
}
DOMESTIC_OFFENCES = {"violence_without_injury", "violence_with_injury", "stalking_harassment", "coercive_control"}
OUTCOME_WEIGHTS = {"18": 38, "14": 14, "16": 10, "15": 10, "1": 10, "8": 5, "3": 4, "21": 5, "20": 4}
OFFICERS = [f"pc{n:03d}" for n in range(1, 121)]


def team_of(officer: str) -> str:
    """Ten officers a team: pc001-pc010 are "CID 1" (the demo investigator's team)."""
    return f"CID {1 + (int(officer[2:]) - 1) // 10}"


CHUNK = 5000


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _bulk(session: Session, table: Any, rows: list[dict[str, Any]], ids: bool = False) -> list[int]:
    out: list[int] = []
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i:i + CHUNK]
        if ids:
            out.extend(session.scalars(insert(table).returning(table.id, sort_by_parameter_order=True), chunk))
        else:
            session.execute(insert(table), chunk)
    return out


def _evidence(code: str, doc: Any) -> dict[str, str]:
    text = {"rationale": "All proportionate lines of enquiry completed and reviewed",
            "victim_wishes": "Victim states they do not support further police action",
            "charge_reference": "CHG/2026/004417", "disposal_reference": "DISP/2026/000912",
            "agency": "Local authority trading standards", "cps_decision": "CPS/2026/1188 no further action"}
    outcome = doc.get(code)
    return {k: text[k] for k in outcome.evidence}


def seed_demo_crimes(session: Session, rng: random.Random, now: datetime, *, crimes: int = 80_000,
                     days: int = 365, policy: Policy | None = None) -> dict[str, int]:
    """Fill the crime and victims tables with `crimes` crimes reported over the last `days` days."""
    policy = policy or load_policy()
    inv = policy.doc("investigation")
    offences, outcomes, vcode = policy.doc("offences"), policy.doc("outcomes"), policy.doc("victims_code")
    # The victim of a crime from a contact is that contact's caller (so names vary as the people do).
    # Crimes are spread over the whole period (every step-th contact), not piled on its last days.
    caller = and_(ContactPerson.contact_id == Contact.id, ContactPerson.is_caller.is_(True))
    window = (Contact.received_at <= now, Contact.received_at > now - timedelta(days=days))
    total = int(session.execute(select(func.count()).select_from(Contact).where(*window)).scalar_one())
    step = max(1, total // max(1, crimes))
    contacts = list(session.execute(
        select(Contact.id, Contact.received_at, Person.name).outerjoin(ContactPerson, caller)
        .outerjoin(Person, Person.id == ContactPerson.person_id).where(*window, Contact.id % step == 0)
        .order_by(Contact.received_at.desc()).limit(crimes)).all())
    rows: list[dict[str, Any]] = []
    meta: list[dict[str, Any]] = []
    for i in range(crimes):
        if i < len(contacts):
            contact_id, reported, victim_name = contacts[i]
        else:
            contact_id, reported, victim_name = None, now - timedelta(seconds=rng.uniform(0, days * 86400)), None
        offence = _pick(rng, OFFENCE_WEIGHTS)
        group, off = offences.find(offence)
        domestic = offence in DOMESTIC_OFFENCES and rng.random() < 0.45
        risk = "high" if off.most_serious or (domestic and rng.random() < 0.4) else \
            rng.choices(["high", "medium", "low"], [6, 34, 60])[0]
        age = (now - reported).total_seconds() / 86400
        late = rng.random() < 0.03  # deliberate: recorded after the 24 h NCRS limit
        at_recording = reported + timedelta(hours=rng.uniform(25, 60) if late else rng.uniform(0.2, 20))
        recorded = at_recording if at_recording <= now else None
        closed = recorded is not None and age > rng.uniform(10, 150) and rng.random() < 0.9
        row: dict[str, Any] = {
            "contact_id": contact_id, "source": "demo", "offence": offence, "offence_group": group.id,
            "most_serious": off.most_serious, "domestic": domestic, "summary": off.name[:1].upper() + off.name[1:],
            "reported_at": reported, "record_due_at": model.recording_due(reported, inv), "recorded_at": recorded,
            "recorded_by": "user:demo.cab" if recorded else None, "oic": (oic := rng.choice(OFFICERS)),
            "team": team_of(oic), "risk": risk,
            "status": "closed" if closed else "open", "plan_score": None, "outcome": None, "outcome_evidence": None,
            "closed_at": None, "approved_by": None, "next_review_due_at": None, "last_review_at": None,
            "policy_version": policy.version, "created_at": recorded or reported,
        }
        m: dict[str, Any] = {"reviews": [], "victim": victim_name or _name(rng)}
        if recorded is not None:
            due = model.first_review_due(recorded, risk, inv)
            end = min(now, row["created_at"] + timedelta(days=rng.uniform(10, 150))) if closed else now
            missed = not closed and rng.random() < 0.07  # deliberate: a supervisor missed the review
            while due <= end and len(m["reviews"]) < 20:
                at = due - timedelta(hours=rng.uniform(0, 20))
                if at <= recorded:
                    at = recorded + (due - recorded) / 2
                m["reviews"].append((at, due))
                due = model.next_review_due(at, risk, inv)
            if missed and m["reviews"]:
                due = m["reviews"].pop()[1]
            row["last_review_at"] = m["reviews"][-1][0] if m["reviews"] else None
            if closed:
                code = _pick(rng, OUTCOME_WEIGHTS)
                row.update(status="closed", outcome=code, outcome_evidence=_evidence(code, outcomes),
                           closed_at=end, approved_by="user:demo.sgt", next_review_due_at=None)
                m["suspect"] = outcomes.get(code).needs_suspect
            else:
                row["next_review_due_at"] = due
        row["plan_score"] = None if (recorded is None or rng.random() < 0.06) else \
            rng.choice([40, 55, 65, 70, 80, 85, 90, 100])
        rows.append(row)
        meta.append(m)
    for row in rows:  # the 72-hour plan clock (a plan is taken as made when the crime was created)
        row["plan_due_at"] = row["reported_at"] + timedelta(hours=inv.plan_within_hours)
        row["first_plan_at"] = row["created_at"] if row["plan_score"] is not None else None
    ids = _bulk(session, Crime, rows, ids=True)
    counts = {"crimes": len(ids)}
    counts.update(_children(session, rng, now, ids, rows, meta, policy, inv, vcode))
    audit.record(session, "system:demo", "demo.crimes_seeded", "crime", "demo", after=counts)
    return counts


def _children(session: Session, rng: random.Random, now: datetime, ids: list[int], rows: list[dict[str, Any]],
              meta: list[dict[str, Any]], policy: Policy, inv: Any, vcode: Any) -> dict[str, int]:
    parties, victims, plans, reviews, tasks, dues = [], [], [], [], [], []
    cal = vmodel.calendar_for(vcode.right6.holiday_country, vcode.right6.holiday_subdiv)
    for cid, row, m in zip(ids, rows, meta, strict=True):
        name = m["victim"]
        parties.append({"crime_id": cid, "role": "victim", "name": name, "name_key": name.lower(), "details": {}})
        if m.get("suspect") or rng.random() < 0.35:
            parties.append({"crime_id": cid, "role": "suspect", "name": "Demo suspect", "name_key": "demo suspect", "details": {}})
        active = row["status"] != "closed"
        # Domestic abuse is a most serious crime under the Victims' Code (victims_code.yaml enhanced_rules).
        enhanced = ["most_serious_crime"] if row["most_serious"] or row["domestic"] else (["vulnerable"] if rng.random() < 0.08 else [])
        every = rng.choice([7, 14, 28, 28])
        last = now - timedelta(days=rng.uniform(0, every * 1.4)) if active else None  # some overdue on purpose
        victims.append({"crime_id": cid, "name": name, "active": active, "enhanced": bool(enhanced),
                        "enhanced_reasons": enhanced, "rights": {"2": {"status": "given"}, "3": {"status": "given"}},
                        "contact_method": rng.choice(vcode.contact_methods), "contact_every_days": every,
                        "last_update_at": last, "next_update_due_at": last + timedelta(days=every) if last else None,
                        "created_at": row["created_at"], **_care(rng, now, row, enhanced)})
        if row["plan_score"] is not None:
            score = row["plan_score"]
            plans.append({"crime_id": cid, "elements": {"lines_of_enquiry": {"text": "Demo lines of enquiry noted"}},
                          "score": score, "band": model.band_for(score, inv), "reasons": [] if score == 100 else
                          ["safeguarding not considered"], "version": 1, "updated_at": row["created_at"],
                          "updated_by": f"user:{row['oic']}", "policy_version": policy.version})
        for at, due in m["reviews"]:
            dues.append({"crime_id": cid, "due_at": due, "risk": row["risk"], "done_at": at, "cancelled": False})
            reviews.append({"crime_id": cid, "reviewer": "user:demo.sgt", "reviewed_at": at, "risk": row["risk"],
                            "direction": "Continue enquiries as planned; update the victim.", "plan_score":
                            row["plan_score"], "was_due_at": due, "late": at > due,
                            "next_due_at": model.next_review_due(at, row["risk"], inv)})
        if row["next_review_due_at"] is not None:
            dues.append({"crime_id": cid, "due_at": row["next_review_due_at"], "risk": row["risk"], "done_at": None,
                         "cancelled": False})
        if row["recorded_at"] is not None and now - row["reported_at"] < timedelta(hours=30):
            tasks.append(_task("recording_check", "Crime recording check (NCRS)", cid, None, None, row["reported_at"],
                               row["record_due_at"], 15, "open"))
        elif row["recorded_at"] is not None:
            # Older recording checks: the bureau works most within the day, a few are still open.
            status = "done" if rng.random() < 0.93 else "open"
            tasks.append(_task("recording_check", "Crime recording check (NCRS)", cid, None, None, row["reported_at"],
                               row["record_due_at"], 15, status))
        if row["status"] == "closed" and rng.random() < 0.5:
            tasks.append(_task("outcome_check", "Outcome check (closure quality)", cid, None, None, row["closed_at"],
                               row["closed_at"] + timedelta(hours=72), 15, "done"))
    _bulk(session, CrimeParty, parties)
    vids = _bulk(session, Victim, victims, ids=True)
    _bulk(session, InvestigationPlan, plans)
    _bulk(session, SupervisoryReview, reviews)
    _bulk(session, ReviewDue, dues)
    clocks, dashes = [], []
    for vid, v, row in zip(vids, victims, rows, strict=True):
        if v["active"] and row["recorded_at"] is not None and rng.random() < 0.3:
            event_at = max(row["reported_at"], now - timedelta(days=rng.uniform(0, 12)))
            event = rng.choice(["arrest", "interview_under_caution", "released_under_investigation", "released_on_bail"])
            days = 1 if v["enhanced"] else 5
            due = cal.add_working_days(event_at, days, vcode.right6.day_rule)
            # Most victims are told in time; a real force misses some (the inspectorate's finding).
            met = event_at + (due - event_at) * rng.uniform(0.1, 1.3) if rng.random() < 0.88 else None
            if met is not None and met > now:
                met = None
            status = "open" if met is None else ("met" if met <= due else "met_late")
            warn = max(event_at, due - timedelta(hours=4 if v["enhanced"] else 24))
            clocks.append({"victim_id": vid, "crime_id": v["crime_id"], "event": event, "event_at": event_at,
                           "enhanced": v["enhanced"], "working_days": days, "due_at": due, "warn_at": warn,
                           "status": status, "met_at": met, "recorded_by": "user:demo"})
        if row["domestic"]:
            yes = min(27, max(0, int(rng.gauss(9, 4))))
            level = "high" if yes >= 14 else "medium" if yes >= 10 else "standard"
            dashes.append({"victim_id": vid, "crime_id": v["crime_id"], "dash_version": "demo",
                           "policy_version": policy.version, "answers": {}, "yes_count": yes, "actuarial": level,
                           "incidents_in_window": 1, "escalation": False, "level": level, "marac": level == "high",
                           "reasons": [f"{yes} 'yes' answers: {level}"], "assessed_at": row["reported_at"],
                           "by": f"user:{row['oic']}"})
    clock_ids = _bulk(session, Right6Clock, clocks, ids=True)
    for clock_id, c in zip(clock_ids, clocks, strict=True):
        if c["status"] == "open":
            tasks.append(_task("victim_update", "Victim update due (Right 6)", c["crime_id"], c["victim_id"], clock_id,
                               c["event_at"], c["due_at"], 20, "open"))
    dash_ids = _bulk(session, DashAssessment, dashes, ids=True)
    marac = [{"dash_id": did, "victim_id": d["victim_id"], "criteria": ["high_risk"], "status": "submitted",
              "referred_at": d["assessed_at"], "by": d["by"]} for did, d in zip(dash_ids, dashes, strict=True) if d["marac"]]
    _bulk(session, MaracReferral, marac)
    _bulk(session, BureauTask, tasks)
    return {"victims": len(vids), "plans": len(plans), "reviews": len(reviews), "right6_clocks": len(clocks),
            "dash": len(dashes), "marac": len(marac), "bureau_tasks": len(tasks)}


def _name(rng: random.Random) -> str:
    from bluelamp.synth.people import FIRST_F, FIRST_M
    from bluelamp.synth.people import SURNAMES as MANY_SURNAMES

    return f"{rng.choice(FIRST_F + FIRST_M)} {rng.choice(MANY_SURNAMES)}"


NEEDS_ANSWERS = {"communication": "Prefers phone calls after 5pm", "safety": "Worried the suspect knows the address",
                 "emotional": "Referred to Victim Support", "children": "Two children at home",
                 "disability": "Hearing impairment: text messages", "special_measures": "Screens at court discussed"}


def _care(rng: random.Random, now: datetime, row: dict[str, Any], enhanced: list[str]) -> dict[str, Any]:
    """Needs assessed and the Victim Personal Statement offered, at the rates a force really has.

    Needs are mostly assessed within two days (sooner for enhanced rights); the VPS is offered when a
    statement is taken, so later and less often; some are still outstanding, as inspectors find."""
    out: dict[str, Any] = {"needs": {}, "needs_assessed_at": None, "vps_offered_at": None, "vps_accepted": None}
    start = row["created_at"]
    if rng.random() < (0.92 if enhanced else 0.84):
        at = start + timedelta(hours=rng.uniform(0.5, 24 if enhanced else 60))
        if at <= now:
            picked = rng.sample(sorted(NEEDS_ANSWERS), k=rng.randint(0, 2))
            out.update(needs={k: NEEDS_ANSWERS[k] for k in picked}, needs_assessed_at=at)
    if rng.random() < (0.8 if enhanced else 0.68):
        at = start + timedelta(days=rng.uniform(0.2, 12))
        if at <= now:
            out.update(vps_offered_at=at, vps_accepted=rng.random() < 0.45)
    return out


def _task(kind: str, title: str, crime_id: int, victim_id: int | None, clock_id: int | None, created: datetime,
          due: datetime, minutes: float, status: str) -> dict[str, Any]:
    return {"kind": kind, "title": title, "crime_id": crime_id, "victim_id": victim_id, "clock_id": clock_id,
            "status": status, "created_at": created, "due_at": due, "minutes_saved": minutes, "detail": {},
            "done_at": due - timedelta(hours=1) if status == "done" else None,
            "done_by": "user:demo.cab" if status == "done" else None}
