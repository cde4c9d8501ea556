"""The DECC 911 centre CAD export (../shared/data/real/decc-911-center-cad, see its PROVENANCE.md)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from bluelamp.response.importers.base import Adapter, CadRecord, RowError, parse_local

NULL = ("", "NULL")

# Call_Reception -> bluelamp channel. 999 stands for the emergency line (E-911 and its relatives),
# 101 for ordinary phone lines; the rest are not calls from the public.
CHANNELS = {
    "E-911": "999", "911 Center": "999", "Cell Phone": "999", "Text": "999", "TDD": "999",
    "Phone": "101", "OFFICER": "officer", "Flag Down": "officer", "Radio": "radio",
    "C2C": "cad2cad", "CAD2CAD": "cad2cad", "VCIN": "cad2cad",
}

# Stage columns in the order they happen; each is read after the one before (see parse_local).
STAGES = (
    ("queued_at", "Incident_Queue_Time"),
    ("dispatched_at", "Incident_Dispatch_Time"),
    ("enroute_at", "Incident_Enroute_Time"),
    ("arrived_at", "Incident_Arrival_Time"),
)


class DeccAdapter(Adapter):
    """One DECC row is one incident of one agency (POLICE, FIRE or EMS), times local to US Eastern."""

    name: ClassVar[str] = "decc"
    default_tz: ClassVar[str] = "America/New_York"
    required_columns: ClassVar[tuple[str, ...]] = (
        "Master_Incident_Number", "Agency", "Problem", "Priority_Number", "Call_Reception",
        "Incident_Start_Time", "Incident_Queue_Time", "Incident_Dispatch_Time", "Incident_Enroute_Time",
        "Incident_Arrival_Time", "Incident_First_Close_Time", "Final_Closed_Time", "Disposition",
    )

    def _time(self, row: dict[str, str], column: str, not_before: datetime | None) -> datetime | None:
        text = row.get(column)
        if text is None or text.strip() in NULL:
            return None
        return parse_local(text, self.zone, column, not_before)

    def parse(self, row: dict[str, str]) -> CadRecord:
        ref = (row.get("Master_Incident_Number") or "").strip()
        if not ref:
            raise RowError("missing incident number (Master_Incident_Number)")
        agency = (row.get("Agency") or "").strip().lower()
        if not agency or agency == "null":
            raise RowError("missing agency")
        received = self._time(row, "Incident_Start_Time", None)
        if received is None:
            raise RowError("missing call start time (Incident_Start_Time)")
        times: dict[str, datetime | None] = {}
        last = received
        for attr, column in STAGES:
            value = self._time(row, column, last)
            if value is not None:
                if value < received:
                    raise RowError(f"{column} is before the call was received")
                last = value
            times[attr] = value
        first_close = self._time(row, "Incident_First_Close_Time", last)
        final_close = self._time(row, "Final_Closed_Time", first_close or last)
        closed = final_close or first_close
        if closed is not None and closed < received:
            raise RowError("the close time is before the call was received")
        priority = (row.get("Priority_Number") or "").strip()
        priority = "" if priority == "NULL" else priority
        reception = (row.get("Call_Reception") or "").strip()
        extra = {"reception": reception or None, "disposition": _text(row.get("Disposition"))}
        if first_close is not None and final_close is not None and first_close != final_close:
            extra["first_closed_at"] = first_close.isoformat()
        return CadRecord(
            external_ref=ref[:64], agency=agency[:32], received_at=received,
            channel=CHANNELS.get(reception, "other"), grade=self.grades.grade(priority),
            call_type=_text(row.get("Problem"), 120), source_priority=priority[:16] or None,
            closed_at=closed, urban=True, extra=extra, queued_at=times["queued_at"],
            dispatched_at=times["dispatched_at"], enroute_at=times["enroute_at"], arrived_at=times["arrived_at"],
        )


def _text(value: str | None, limit: int = 200) -> str | None:
    value = (value or "").strip()
    return None if value in NULL else value[:limit]
