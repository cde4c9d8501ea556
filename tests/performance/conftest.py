"""A small force written straight into the tables: every measure has a figure we can work out by hand.

The period is February 2026 (28 days); January 4-31 is the previous equal period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

FEB = datetime(2026, 2, 2, 10, 0, tzinfo=UTC)
JAN = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
PERIOD = (date(2026, 2, 1), date(2026, 2, 28))
THRIVE = {"threat": "t", "harm": "h", "risk": "medium", "investigation": "i", "vulnerability": "v",
          "engagement": "e"}


def contact(session: Any, channel: str, received: datetime, answer_s: float | None, *, area: str = "North",
            grade: int = 2, route: str = "deploy", flags: list[str] | None = None, thrive: bool = True,
            status: str = "decided", decision: dict[str, Any] | None = None) -> int:
    from bluelamp.contact.store import Contact

    proposal = {"grade": grade, "route": route, "flags": flags or [], "policy_version": "2026.1"}
    if thrive:
        proposal["thrive"] = THRIVE
    c = Contact(channel=channel, agency="police", source="test", received_at=received,
                answered_at=None if answer_s is None else received + timedelta(seconds=answer_s),
                narrative="a test contact", urban=True, area=area, answers={}, proposal=proposal, grade=grade,
                route=route, flags=flags or [], policy_version="2026.1", household=[], status=status,
                decision=decision, recorded_by="test")
    session.add(c)
    session.flush()
    return c.id


@pytest.fixture
def world(db, fixed_clock) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from bluelamp.chat.store import Chat
    from bluelamp.contact.store import ContactPerson, Person
    from bluelamp.crime.store import BureauTask, Crime, ReviewDue, SupervisoryReview
    from bluelamp.response.store import Incident
    from bluelamp.victims.store import Right6Clock, Victim

    ids: dict[str, Any] = {}
    with db.unit_of_work() as s:
        # 999: answered after 2..60 s; six of ten within 10 s, mean 15.6 s. Five in North, five in South.
        waits = [2, 4, 6, 8, 9, 10, 12, 15, 30, 60]
        ids["c999"] = [contact(s, "999", FEB + timedelta(hours=k), w, area="North" if k < 5 else "South",
                               grade=1 if k < 3 else 2, flags=["domestic_abuse"] if k == 0 else [])
                       for k, w in enumerate(waits)]
        ids["jan999"] = contact(s, "999", JAN, 5)
        ids["c101"] = [contact(s, "101", FEB + timedelta(days=1), 100, grade=4, route="refer:mental_health"),
                       # a grade 3 (an appointment), so the grade mix has a scheduled share to count
                       contact(s, "101", FEB + timedelta(days=1, hours=1), 200, grade=3, route="appointment",
                               thrive=False)]
        ids["downgrade"] = contact(s, "online", FEB + timedelta(days=2), None, grade=4, route="advice",
                                   decision={"grade": 4, "downgrade": True, "approved_by": "user:sup"})
        ids["pending"] = contact(s, "online", FEB + timedelta(days=2, hours=1), None, grade=3,
                                 route="appointment", status="awaiting_approval",
                                 decision={"grade": 3, "downgrade": True})
        housed = Person(name="Ann Example", name_key="ann example", address="1 High St", address_key="1 high st",
                        markers=[])
        homeless = Person(name="Bob Example", name_key="bob example", markers=[])
        s.add_all([housed, homeless])
        s.flush()
        for cid, person in ((ids["c999"][0], housed), (ids["c999"][1], housed), (ids["c999"][2], homeless)):
            s.add(ContactPerson(contact_id=cid, person_id=person.id, role="victim", is_caller=True,
                                received_at=FEB + timedelta(hours=ids["c999"].index(cid))))
        s.add_all([
            Chat(token_digest="a" * 64, status="closed", started_at=FEB, queued_at=FEB,
                 answered_at=FEB + timedelta(seconds=30), closed_at=FEB + timedelta(minutes=5)),
            Chat(token_digest="b" * 64, status="closed", started_at=FEB, queued_at=FEB, answered_at=None,
                 closed_at=FEB + timedelta(minutes=6), outcome="abandoned"),
        ])
        inc = []
        for k, minutes in enumerate((10, 25)):
            i = Incident(contact_id=ids["c999"][k], agency="police", source="test", grade=1, status="closed",
                         urban=True, area="North", received_at=FEB + timedelta(hours=k),
                         attend_by=FEB + timedelta(hours=k, minutes=15),
                         arrived_at=FEB + timedelta(hours=k, minutes=minutes), flags=[], extra={})
            s.add(i)
            inc.append(i)
        # Grades 2 and 3 (no contact behind them): one grade 2 in 40 min, one in 75 (late against 60); one
        # grade 3 at its appointment, 30 h after the call (by attend_by, 48 h).
        later = []
        for grade, area, received, target, arrived in (
                (2, "North", FEB + timedelta(days=3), timedelta(minutes=60), timedelta(minutes=40)),
                (2, "South", FEB + timedelta(days=3, hours=1), timedelta(minutes=60), timedelta(minutes=75)),
                (3, "North", FEB + timedelta(days=4), timedelta(hours=48), timedelta(hours=30))):
            later.append(Incident(agency="police", source="test", grade=grade, status="closed", urban=True,
                                  area=area, received_at=received, attend_by=received + target,
                                  arrived_at=received + arrived, flags=[], extra={}))
        s.add_all(later)
        s.flush()
        ids["incidents"] = [i.id for i in inc]
        ids["incidents_2_3"] = [i.id for i in later]
        # The late one was downgraded to grade 2 after arrival: still measured as a late grade 1.
        from bluelamp.response.store import IncidentRegrade

        late = inc[1]
        late.measure_grade, late.measure_attend_by = 1, late.attend_by
        late.grade, late.attend_by = 2, late.received_at + timedelta(minutes=60)
        s.add(IncidentRegrade(incident_id=late.id, at=late.arrived_at + timedelta(minutes=5), by="user:sup",
                              from_grade=1, to_grade=2, reason="less serious on arrival", approved_by="user:sup"))

        def crime(reported: datetime, recorded: datetime | None, score: int | None, **kw: Any) -> Crime:
            c = Crime(source="test", offence=kw.pop("offence", "criminal_damage"),
                      offence_group=kw.pop("group", "criminal damage and arson"), summary="", reported_at=reported,
                      record_due_at=reported + timedelta(hours=24), recorded_at=recorded, oic="pc001", risk="standard",
                      status=kw.pop("status", "open"), plan_score=score, policy_version="2026.1", created_at=reported,
                      plan_due_at=reported + timedelta(hours=72),
                      first_plan_at=reported + timedelta(hours=5) if score is not None else None,
                      contact_id=kw.pop("contact_id", None), **kw)
            s.add(c)
            s.flush()
            return c

        c1 = crime(FEB, FEB + timedelta(hours=3), 80, contact_id=ids["c999"][0])
        c2 = crime(FEB + timedelta(days=1), None, None, contact_id=ids["c999"][5])
        c3 = crime(JAN, JAN + timedelta(hours=2), 50, status="closed", outcome="18",
                   closed_at=datetime(2026, 2, 15, 12, tzinfo=UTC), outcome_evidence={"rationale": "no suspect"})
        ids["crimes"] = [c1.id, c2.id, c3.id]
        # Two more January crimes closed in February, so each outcome share has a case: 16 (evidential
        # difficulties, the victim does not support) and 1 (charged).
        c4 = crime(JAN + timedelta(hours=1), JAN + timedelta(hours=3), 60, status="closed", outcome="16",
                   closed_at=datetime(2026, 2, 16, 12, tzinfo=UTC), outcome_evidence={"victim_wishes": "declined"})
        c5 = crime(JAN + timedelta(hours=2), JAN + timedelta(hours=4), 70, status="closed", outcome="1",
                   closed_at=datetime(2026, 2, 17, 12, tzinfo=UTC), outcome_evidence={"charge_ref": "CH-1"})
        ids["closed_crimes"] = [c3.id, c4.id, c5.id]
        s.add_all([
            SupervisoryReview(crime_id=c1.id, reviewer="user:sup", reviewed_at=FEB + timedelta(days=3),
                              direction="go", risk="standard", late=False, next_due_at=FEB + timedelta(days=10)),
            SupervisoryReview(crime_id=c1.id, reviewer="user:sup", reviewed_at=FEB + timedelta(days=12),
                              direction="go", risk="standard", late=True, next_due_at=FEB + timedelta(days=20)),
        ])
        # The reviews that fell due: one done on time, one late, one never done (due 22 Feb, before now).
        s.add_all([
            ReviewDue(crime_id=c1.id, due_at=FEB + timedelta(days=4), risk="standard", done_at=FEB + timedelta(days=3),
                      cancelled=False),
            ReviewDue(crime_id=c1.id, due_at=FEB + timedelta(days=10), risk="standard",
                      done_at=FEB + timedelta(days=12), cancelled=False),
            ReviewDue(crime_id=c1.id, due_at=FEB + timedelta(days=20), risk="standard", cancelled=False),
            ReviewDue(crime_id=c2.id, due_at=FEB + timedelta(days=40), risk="standard", cancelled=False),  # not yet due
        ])
        v1 = Victim(crime_id=c1.id, name="Ann Example", active=True, enhanced=False, enhanced_reasons=[], rights={},
                    needs={"support": True}, needs_assessed_at=FEB + timedelta(hours=5),
                    vps_offered_at=FEB + timedelta(days=1), created_at=FEB)
        v2 = Victim(crime_id=c2.id, name="Cat Example", active=True, enhanced=False, enhanced_reasons=[], rights={},
                    needs={}, created_at=FEB + timedelta(days=1))
        s.add_all([v1, v2])
        s.flush()
        for due, met in ((datetime(2026, 2, 10, tzinfo=UTC), datetime(2026, 2, 9, tzinfo=UTC)),
                         (datetime(2026, 2, 12, tzinfo=UTC), None)):
            s.add(Right6Clock(victim_id=v1.id, crime_id=c1.id, event="arrest", event_at=due - timedelta(days=7),
                              enhanced=False, working_days=5, due_at=due, warn_at=due - timedelta(days=1),
                              status="met" if met else "open", met_at=met, recorded_by="test"))
        s.add_all([
            BureauTask(kind="victim_letter", title="letter", crime_id=c1.id, status="done", created_at=FEB,
                       due_at=FEB + timedelta(days=2), done_at=FEB + timedelta(days=1), minutes_saved=90.0, detail={}),
            BureauTask(kind="file_preparation", title="file", crime_id=c2.id, status="open",
                       created_at=FEB + timedelta(days=1), due_at=FEB + timedelta(days=5), minutes_saved=120.0,
                       detail={}),
        ])
    return ids
