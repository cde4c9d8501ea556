"""Turn days of the plan into rows of the spine's tables, and write them with bulk inserts.

People are written the first time they appear (with the vulnerable members of their household, so the
spine's household check finds them); contacts carry the cached triage proposal and an accepted
decision; contacts routed to deploy or appointment get an incident with realistic times. Every random
draw here comes from a stream of (seed, date), so a date renders the same whatever the batch.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Table, func, insert, select
from sqlalchemy.engine import Connection

from bluelamp import clock
from bluelamp.contact.matching import phone_key, text_key
from bluelamp.contact.store import Contact, ContactPerson, Person
from bluelamp.policy import Policy
from bluelamp.response.store import Incident
from bluelamp.synth import shapes, timings
from bluelamp.synth.areas import AREAS, COMMON_STREETS
from bluelamp.synth.kinds import KINDS
from bluelamp.synth.people import Population
from bluelamp.synth.plan import ROLES, Plan, Personas
from bluelamp.synth.text import NarrativePool, style_of
from bluelamp.synth.triage_cache import CachedTriage

ACTOR = "system:demo"
DEPLOYING = ("deploy", "appointment")
# Seconds from receipt to answer (median, spread) and from answer to the handler's decision.
_ANSWER = {"999": (8.0, 0.6), "101": (150.0, 1.0), "chat": (90.0, 0.9), "online": (2700.0, 0.8)}
_HANDLE = {"999": (240.0, 0.5), "101": (360.0, 0.5), "chat": (480.0, 0.5), "online": (600.0, 0.5)}
_PERSONA_MARKERS = {"da_victim": "domestic_abuse", "mh_frequent": "mental_health"}


@dataclass
class Counts:
    """What one batch wrote."""

    contacts: int = 0
    incidents: int = 0
    open_incidents: int = 0
    people: int = 0
    awaiting_decision: int = 0
    grades: Counter[int] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)

    def add(self, other: Counts) -> None:
        self.contacts += other.contacts
        self.incidents += other.incidents
        self.open_incidents += other.open_incidents
        self.people += other.people
        self.awaiting_decision += other.awaiting_decision
        self.grades.update(other.grades)
        self.channels.update(other.channels)

    def as_dict(self) -> dict[str, Any]:
        return {"contacts": self.contacts, "incidents": self.incidents, "open_incidents": self.open_incidents,
                "people": self.people, "awaiting_decision": self.awaiting_decision,
                "grades": {str(k): v for k, v in sorted(self.grades.items())},
                "channels": dict(sorted(self.channels.items()))}


class Renderer:
    """Writes the plan's contacts day by day; remembers which demo people are already in the database."""

    def __init__(self, seed: int, pop: Population, personas: Personas, policy: Policy, now: datetime) -> None:
        self.seed, self.pop, self.policy, self.now = seed, pop, policy, now
        self.today = now.astimezone(clock.LONDON).date()
        self.pool = NarrativePool(seed)
        self.triage = CachedTriage(policy)
        self.person_ids: dict[int, int] = {}
        self._marked: dict[int, list[int]] = {}
        self._persona = {int(p): personas.names[g] for p, g in zip(personas.person, personas.group, strict=True)}
        rc, rv = policy.matching.repeat_caller, policy.matching.repeat_victim
        self.rc, self.rv = rc, rv
        self.tables = {name: t.__table__ for name, t in (("contact", Contact), ("person", Person),
                                                         ("contact_person", ContactPerson), ("incident", Incident))}

    # --- people ---------------------------------------------------------------------------------

    def marked_members(self, house: int) -> list[int]:
        """Members of a household with a vulnerability marker (child, older person, disability...)."""
        found = self._marked.get(house)
        if found is None:
            found = [i for i in self.pop.members(house) if self.pop.markers(i, self.today)]
            self._marked[house] = found
        return found

    def _write_people(self, conn: Connection, plan: Plan) -> int:
        pop = self.pop
        wanted = set(plan.caller[plan.caller >= 0].tolist()) | set(plan.other[plan.other >= 0].tolist())
        for person in list(wanted):
            wanted.update(self.marked_members(int(pop.household[person])))
        new = sorted(i for i in wanted if i not in self.person_ids)
        if not new:
            return 0
        rows = []
        for i in new:
            name, phone, address = pop.name(i), pop.phone(i), pop.home(int(pop.household[i])).address
            markers = pop.markers(i, self.today)
            extra = _PERSONA_MARKERS.get(self._persona.get(i, ""))
            if extra:
                markers.append(extra)
            rows.append({"name": name, "name_key": text_key(name), "phone": phone, "phone_key": phone_key(phone),
                         "dob": pop.dob(i), "address": address, "address_key": text_key(address),
                         "markers": sorted(markers)})
        ids = _insert_returning(conn, self.tables["person"], rows)
        self.person_ids.update(zip(new, ids, strict=True))
        return len(new)

    # --- contacts and incidents ---------------------------------------------------------------------

    def write(self, conn: Connection, plan: Plan) -> Counts:
        """Write every contact of the plan slice (whole local dates) in the caller's transaction."""
        counts = Counts(people=self._write_people(conn, plan))
        for day in np.unique(plan.day):
            counts.add(self._write_day(conn, plan.take(np.flatnonzero(plan.day == day)), int(day)))
        return counts

    def _write_day(self, conn: Connection, plan: Plan, ordinal: int) -> Counts:
        rng = np.random.default_rng([self.seed, 4, ordinal])
        day = date.fromordinal(ordinal)
        n = len(plan)
        channels = [shapes.CHANNELS[c] for c in plan.channel]
        answer = np.array([rng.lognormal(np.log(_ANSWER[c][0]), _ANSWER[c][1]) for c in channels])
        handle = np.array([rng.lognormal(np.log(_HANDLE[c][0]), _HANDLE[c][1]) for c in channels])
        street_pick = rng.integers(0, 1 << 15, n)
        contacts, extras = [], []
        for i in range(n):
            row, extra = self._contact_row(plan, i, channels[i], float(answer[i]), float(handle[i]),
                                           int(street_pick[i]), day)
            contacts.append(row)
            extras.append(extra)
        ids = _insert_returning(conn, self.tables["contact"], contacts)
        counts = Counts(contacts=n)
        links = []
        for cid, row, extra in zip(ids, contacts, extras, strict=True):
            counts.grades[row["grade"]] += 1
            counts.channels[row["channel"]] += 1
            counts.awaiting_decision += row["status"] == "awaiting_decision"
            for person, role, is_caller in extra["people"]:
                links.append({"contact_id": cid, "person_id": self.person_ids[person], "role": role,
                              "is_caller": is_caller, "received_at": row["received_at"]})
        if links:
            conn.execute(insert(self.tables["contact_person"]), links)
        deploy = [k for k, row in enumerate(contacts) if row["route"] in DEPLOYING]
        if deploy:
            counts.incidents, counts.open_incidents = self._write_incidents(
                conn, rng, plan, day, [ids[k] for k in deploy], [contacts[k] for k in deploy],
                [extras[k] for k in deploy])
        return counts

    def _contact_row(self, plan: Plan, i: int, channel: str, answer_s: float, handle_s: float, pick: int,
                     day: date) -> tuple[dict[str, Any], dict[str, Any]]:
        pop = self.pop
        kind_i = int(plan.kind[i])
        town, area_i = pop.towns[int(plan.town[i])]
        area = AREAS[area_i]
        received = datetime.fromtimestamp(int(plan.t[i]), UTC)
        variant = self.pool.get(kind_i, style_of(channel), int(plan.variant[i]))
        answers = dict(variant.facts) if plan.answered[i] else {}
        history = []
        if plan.earlier_calls[i] >= self.rc.min_earlier:
            history.append("repeat_caller")
        if plan.earlier_victim[i] >= self.rv.min_earlier:
            history.append("repeat_victim")
        urban_town = town.urban
        house = int(plan.house[i])
        if house >= 0:
            home = pop.home(house)
            lat, lon, where, urban = home.lat, home.lon, home.address, bool(pop.h_urban[house])
        else:
            streets = area.streets + COMMON_STREETS
            lat, lon = town.lat + float(plan.dlat[i]), town.lon + float(plan.dlon[i])
            where, urban = f"{streets[pick % len(streets)]}, {town.name}", urban_town
        proposal, attend_by = self.triage.assess(variant.text, answers, urban, channel, tuple(history), received)
        proposal["reasons"] += [r for r in self._match_reasons(plan, i) if r not in proposal["reasons"]]
        answered = received + timedelta(seconds=answer_s)
        decided = answered + timedelta(seconds=handle_s)
        waiting = decided > self.now
        people: list[tuple[int, str, bool]] = []
        caller, other = int(plan.caller[i]), int(plan.other[i])
        if caller >= 0:
            people.append((caller, ROLES[plan.caller_role[i]], True))
        if other >= 0 and other != caller:
            people.append((other, ROLES[plan.other_role[i]], False))
        row = {
            "channel": channel, "agency": "police", "source": "demo",
            "external_ref": f"{day:%Y%m%d}-{channel}-{int(plan.seq[i]):05d}",
            "received_at": received, "answered_at": answered if answered <= self.now else None,
            "narrative": variant.text, "lat": round(lat, 5), "lon": round(lon, 5), "location_description": where,
            "urban": urban, "area": area.name, "answers": answers, "proposal": proposal,
            "grade": proposal["grade"], "route": proposal["route"], "flags": proposal["flags"],
            "policy_version": proposal["policy_version"], "household": self._household(people, received.date()),
            "status": "awaiting_decision" if waiting else "decided",
            "decision": None if waiting else {
                "grade": proposal["grade"], "route": proposal["route"], "reason": None, "by": ACTOR,
                "at": clock.iso(decided), "appointment_at": None, "downgrade": False},
            "recorded_by": ACTOR,
        }
        return row, {"people": people, "attend_by": attend_by, "kind": KINDS[kind_i].id,
                     "answered": answered}

    def _match_reasons(self, plan: Plan, i: int) -> list[str]:
        """The reasons the spine's person matching adds, with the same words."""
        out = []
        n = int(plan.earlier_calls[i])
        if n >= self.rc.min_earlier:
            out.append(f"repeat caller: {n} earlier contacts in {self.rc.window_days} days")
        n = int(plan.earlier_victim[i])
        if n >= self.rv.min_earlier:
            out.append(f"repeat victim: victim in {n} earlier contact{'s' if n > 1 else ''} "
                       f"in {self.rv.window_days} days")
        return out

    def _household(self, people: list[tuple[int, str, bool]], day: date) -> list[dict[str, Any]]:
        """Other people at the involved people's addresses who carry a vulnerability marker."""
        involved = {p for p, _, _ in people}
        out = []
        for house in {int(self.pop.household[p]) for p in involved}:
            for member in self.marked_members(house):
                if member in involved:
                    continue
                markers = self.pop.markers(member, day) or self.pop.markers(member, self.today)
                out.append({"person_id": self.person_ids[member], "name": self.pop.name(member),
                            "age": self.pop.age_on(member, day), "markers": sorted(markers)})
        return out

    def _write_incidents(self, conn: Connection, rng: np.random.Generator, plan: Plan, day: date,
                         ids: list[int], rows: list[dict[str, Any]], extras: list[dict[str, Any]]) -> tuple[int, int]:
        grade = np.array([r["grade"] for r in rows])
        urban = np.array([r["urban"] for r in rows])
        weights = shapes.hourly_weights(day, "999") * 24
        hours = np.array([r["received_at"].astimezone(clock.LONDON).hour for r in rows])
        times = timings.draw(rng, grade, urban, weights[hours])
        table = self.tables["incident"]
        has = set(table.c.keys())
        out, open_count = [], 0
        for k, (cid, row, extra) in enumerate(zip(ids, rows, extras, strict=True)):
            received = row["received_at"]

            def at(seconds: float, received: datetime = received) -> datetime | None:
                return None if np.isnan(seconds) else received + timedelta(seconds=float(seconds))

            dispatched, enroute = at(times.dispatch[k]), at(times.enroute[k])
            arrived, closed = at(times.arrive[k]), at(times.close[k])
            status, info = "closed", {"demo": True}
            if times.cancelled[k]:
                info["closure_reason"] = "no longer required"
            if row["grade"] == 3 and arrived is not None:
                info["appointment_at"] = clock.iso(arrived.replace(second=0, microsecond=0))
            if closed is not None and closed > self.now:
                open_count += 1
                closed = None
                if dispatched is None or dispatched > self.now:
                    status, dispatched, enroute, arrived = "awaiting", None, None, None
                elif enroute is None or enroute > self.now:
                    status, enroute, arrived = "dispatched", None, None
                elif arrived is None or arrived > self.now:
                    status, arrived = "en_route", None
                else:
                    status = "at_scene"
            incident = {
                "contact_id": cid, "agency": "police", "source": "demo", "external_ref": row["external_ref"],
                "grade": row["grade"], "status": status, "flags": row["flags"], "urban": row["urban"],
                "lat": row["lat"], "lon": row["lon"], "location_description": row["location_description"],
                "area": row["area"], "received_at": received, "attend_by": extra["attend_by"],
                "dispatched_at": dispatched, "enroute_at": enroute, "arrived_at": arrived, "closed_at": closed,
                "extra": info,
            }
            if "queued_at" in has:
                incident["queued_at"] = min(extra["answered"], self.now)
            if "call_type" in has:
                incident["call_type"] = extra["kind"]
            out.append(incident)
        conn.execute(insert(table), out)
        return len(out), open_count


def _insert_returning(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows with ids taken up front; returns the ids in the order of the rows.

    On SQLite the transaction holds the write lock (BEGIN IMMEDIATE), so max(id) + 1 onwards is ours;
    on PostgreSQL the ids come from the table's own sequence, so concurrent writers never collide.
    """
    if not rows:
        return []
    ids = reserve_ids(conn, table, len(rows))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    conn.execute(insert(table), rows)
    return ids


def reserve_ids(conn: Connection, table: Table, n: int) -> list[int]:
    if conn.dialect.name == "postgresql":
        result = conn.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, %s)", (n,))
        return [int(r[0]) for r in result]
    start = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
    return list(range(start, start + n))
