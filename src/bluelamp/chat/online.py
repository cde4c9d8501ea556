"""The public online report: lands at once as a contact on the `online` channel, assessed and matched,
so nobody re-keys it; an emergency tells the person to call 999 and alerts a supervisor."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.chat.model import EMERGENCY_TEXT, Event
from bluelamp.chat.operations import contact_reference
from bluelamp.chat.service import alert_json
from bluelamp.chat.store import ChatAlert
from bluelamp.contact import service as contacts
from bluelamp.contact.model import ContactIn
from bluelamp.identity.model import Principal
from bluelamp.triage import service as triage

# The public form records contacts as this system principal: user_id 0 only scopes idempotency keys,
# and the actor ("user:public-online") marks every contact and audit entry it makes.
PUBLIC_ONLINE = Principal(user_id=0, username="public-online", roles=frozenset({"call_handler"}))

MAX_REPORT = 5000


class OnlineReportIn(BaseModel):
    """What the public report form asks; only what happened is required."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    what_happened: str = Field(min_length=1, max_length=MAX_REPORT)
    when: str | None = Field(default=None, max_length=200)
    where: str | None = Field(default=None, max_length=500)
    reporting_for: Literal["myself", "someone_else"] = "myself"
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=200)
    dob: date | None = None
    address: str | None = Field(default=None, max_length=500)


def contact_from_report(data: OnlineReportIn) -> ContactIn:
    narrative = data.what_happened
    if data.when:
        narrative += f"\nWhen: {data.when}"
    if data.email:
        narrative += f"\nContact email: {data.email}"
    body: dict[str, Any] = {"channel": "online", "narrative": narrative}
    if data.where:
        body["location"] = {"description": data.where}
    caller = {k: v for k, v in (("name", data.name), ("phone", data.phone), ("dob", data.dob),
                                ("address", data.address)) if v}
    if caller:
        caller["role"] = "victim" if data.reporting_for == "myself" else "other"
        body["caller"] = caller
    return ContactIn.model_validate(body)


def submit_report(session: Session, data: OnlineReportIn) -> tuple[dict[str, Any], list[Event]]:
    """Record the report as a contact (THRIVE, person matching, the usual route) and screen it."""
    contact = contact_from_report(data)
    screening = triage.screen_text(contact.narrative)
    result = contacts.record_contact(session, contact, PUBLIC_ONLINE)
    reference = contact_reference(result["id"])
    out: dict[str, Any] = {"reference": reference, "emergency": screening.is_emergency}
    events: list[Event] = [Event("queue", {"type": "online_report", "contact_id": result["id"],
                                           "reference": reference, "grade": result["assessment"]["grade"],
                                           "flags": result["assessment"]["flags"]})]
    if screening.is_emergency:
        alert = ChatAlert(kind="online_emergency", contact_id=result["id"], raised_at=clock.now(),
                          reasons=list(screening.reasons))
        session.add(alert)
        session.flush()
        audit.record(session, PUBLIC_ONLINE.actor, "online_report.emergency_screened", "contact", result["id"],
                     after={"alert_id": alert.id, "flags": list(screening.flags)})
        events.append(Event("alerts", {"type": "alert", "alert": alert_json(alert)}))
        out["message"] = EMERGENCY_TEXT
    else:
        out["message"] = (f"Thank you. Your report has been received and recorded. Your reference number is "
                          f"{reference}. Please keep it: you will need it if you contact us about this.")
    return out, events
