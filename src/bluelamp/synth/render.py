"""Turn days of the plan into rows of the spine's tables, and write them with bulk inserts.

People are written the first time they appear (with the vulnerable members of their household, so the
spine's household check finds them); contacts carry the cached triage proposal and an accepted
decision; contacts routed to deploy or appointment get an incident with realistic times. Every random
draw here comes from a stream of (seed, date), so a date renders the same whatever the batch.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import Table
from sqlalchemy.engine import Connection

from bluelamp import clock
from bluelamp.contact.matching import phone_key
from bluelamp.contact.store import Contact, ContactPerson, Person
from bluelamp.policy import Policy
from bluelamp.response.store import Incident
from bluelamp.synth import shapes, timings
from bluelamp.synth.areas import AREAS, COMMON_STREETS
from bluelamp.synth.bulk import RawJSON, insert_rows, insert_with_ids
from bluelamp.synth.kinds import KINDS
from bluelamp.synth.people import Population
from bluelamp.synth.plan import ROLES, Personas, Plan
from bluelamp.synth.text import NarrativePool, place_in
from bluelamp.synth.triage_cache import CachedTriage

ACTOR = "system:demo"
DEPLOYING = ("deploy", "appointment")
# Seconds from receipt to answer (median, spread) and from answer to the handler's decision.
_ANSWER = {"999": (8.0, 0.6), "101": (150.0, 1.0), "chat": (90.0, 0.9), "online": (2700.0, 0.8)}
_HANDLE = {"999": (240.0, 0.5), "101": (360.0, 0.5), "chat": (480.0, 0.5), "online": (600.0, 0.5)}
_STYLE = {"999": 0, "101": 0, "chat": 1, "online": 2}
_HISTORY = {(False, False): (), (True, False): ("repeat_caller",), (False, True): ("repeat_victim",),
            (True, True): ("repeat_caller", "repeat_victim")}
_EMPTY_LIST, _EMPTY_OBJECT = RawJSON("[]"), RawJSON("{}")
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


class _Columns:
    """A plan slice as Python lists: indexing a list is many times faster than a numpy scalar."""

    def __init__(self, plan: Plan) -> None:
        for f in fields(plan):
            setattr(self, f.name, getattr(plan, f.name).tolist())

    def __getattr__(self, name: str) -> list[Any]:  # for type checkers: every column is a list
        raise AttributeError(name)


class Renderer:
    """Writes the plan's contacts day by day; remembers which demo people are already in the database."""

    def __init__(self, seed: int, pop: Population, personas: Personas, policy: Policy, now: datetime) -> None:
        self.seed, self.pop, self.policy, self.now = seed, pop, policy, now
        self.today = now.astimezone(clock.LONDON).date()
        self.pool = NarrativePool(seed)
        self.triage = CachedTriage(policy)
        self.person_ids: dict[int, int] = {}
        self._marked: dict[int, list[int]] = {}
        self._markers: dict[int, tuple[str, ...]] = {}
        self._persona = {int(p): personas.names[g] for p, g in zip(personas.person, personas.group, strict=True)}
        rc, rv = policy.matching.repeat_caller, policy.matching.repeat_victim
        self.rc, self.rv = rc, rv
        self.tables: dict[str, Table] = {
            name: t.__table__ for name, t in (("contact", Contact), ("person", Person),  # type: ignore[misc]
                                              ("contact_person", ContactPerson), ("incident", Incident))}

    # --- people ---------------------------------------------------------------------------------

    def marked_members(self, house: int) -> list[int]:
        """Members of a household with a vulnerability marker (child, older person, disability...)."""
        found = self._marked.get(house)
        if found is None:
            found = [i for i in self.pop.members(house) if self.markers_today(i)]
            self._marked[house] = found
        return found

    def markers_today(self, person: int) -> tuple[str, ...]:
        found = self._markers.get(person)
        if found is None:
            found = self._markers[person] = tuple(self.pop.markers(person, self.today))
        return found

    def _write_people(self, conn: Connection, plan: Plan) -> int:
        pop = self.pop
        wanted = set(plan.caller[plan.caller >= 0].tolist()) | set(plan.other[plan.other >= 0].tolist())
        for house in set(plan.house[plan.house >= 0].tolist()):
            wanted.update(self.marked_members(house))
        new = sorted(i for i in wanted if i not in self.person_ids)
        if not new:
            return 0
        rows = []
        households = pop.household[new].tolist()
        for i, house in zip(new, households, strict=True):
            name, phone, home = pop.name(i), pop.phone(i), pop.home(house)
            markers = self.markers_today(i)
            extra = _PERSONA_MARKERS.get(self._persona.get(i, ""))
            if extra:
                markers = (*markers, extra)
            rows.append({"name": name, "name_key": name.lower(),  # demo names are letters and spaces only
                         "phone": phone, "phone_key": phone_key(phone), "dob": pop.dob(i),
                         "address": home.address, "address_key": home.address_key,
                         "markers": _sorted_json(markers)})
        ids = insert_with_ids(conn, self.tables["person"], rows)
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
        channels = [shapes.CHANNELS[c] for c in plan.channel.tolist()]
        median = np.array([_ANSWER[c][0] for c in channels]), np.array([_HANDLE[c][0] for c in channels])
        spread = np.array([_ANSWER[c][1] for c in channels]), np.array([_HANDLE[c][1] for c in channels])
        answer = rng.lognormal(np.log(median[0]), spread[0]).tolist()
        handle = rng.lognormal(np.log(median[1]), spread[1]).tolist()
        pick = rng.integers(0, 1 << 15, n).tolist()
        cols = _Columns(plan)
        prefix = f"{day:%Y%m%d}-"
        contacts, extras = [], []
        for i in range(n):
            row, extra = self._contact_row(cols, i, channels[i], answer[i], handle[i], pick[i], prefix)
            contacts.append(row)
            extras.append(extra)
        ids = insert_with_ids(conn, self.tables["contact"], contacts)
        counts = Counts(contacts=n)
        links = []
        person_ids = self.person_ids
        for cid, row, extra in zip(ids, contacts, extras, strict=True):
            counts.grades[row["grade"]] += 1
            counts.channels[row["channel"]] += 1
            counts.awaiting_decision += row["status"] == "awaiting_decision"
            for person, role, is_caller in extra["people"]:
                links.append({"contact_id": cid, "person_id": person_ids[person], "role": role,
                              "is_caller": is_caller, "received_at": row["received_at"]})
        insert_rows(conn, self.tables["contact_person"], links)
        deploy = [k for k, row in enumerate(contacts) if row["route"] in DEPLOYING]
        if deploy:
            counts.incidents, counts.open_incidents = self._write_incidents(
                conn, rng, day, [ids[k] for k in deploy], [contacts[k] for k in deploy],
                [extras[k] for k in deploy])
        return counts

    def _contact_row(self, c: _Columns, i: int, channel: str, answer_s: float, handle_s: float, pick: int,
                     prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
        pop = self.pop
        kind_i = c.kind[i]
        town, area_i = pop.towns[c.town[i]]
        area = AREAS[area_i]
        received = datetime.fromtimestamp(c.t[i], UTC)
        variant = self.pool.get(kind_i, _STYLE[channel], c.variant[i])
        answers = variant.facts if c.answered[i] else {}
        n_calls, n_victim = c.earlier_calls[i], c.earlier_victim[i]
        repeat_caller, repeat_victim = n_calls >= self.rc.min_earlier, n_victim >= self.rv.min_earlier
        history = _HISTORY[(repeat_caller, repeat_victim)]
        house = c.house[i]
        named = place_in(variant.text)  # where the caller says it happened, so words and location agree
        if named is not None:
            lat, lon = town.lat + c.dlat[i], town.lon + c.dlon[i]
            where, urban = f"{named}, {town.name}", town.urban
        elif house >= 0:
            home = pop.home(house)
            lat, lon, where, urban = home.lat, home.lon, home.address, town.urban
        else:
            streets = area.streets + COMMON_STREETS
            lat, lon = town.lat + c.dlat[i], town.lon + c.dlon[i]
            where, urban = f"{streets[pick % len(streets)]}, {town.name}", town.urban
        cached = self.triage.assess(variant.text, answers, urban, channel, history, received)
        attend_by = cached.attend_by(received)
        more = []
        if repeat_caller:
            more.append(f"repeat caller: {n_calls} earlier contacts in {self.rc.window_days} days")
        if repeat_victim:
            more.append(f"repeat victim: victim in {n_victim} earlier contact{'s' if n_victim > 1 else ''} "
                        f"in {self.rv.window_days} days")
        answered = received + timedelta(seconds=answer_s)
        decided = answered + timedelta(seconds=handle_s)
        waiting = decided > self.now
        people: list[tuple[int, str, bool]] = []
        caller, other = c.caller[i], c.other[i]
        if caller >= 0:
            people.append((caller, ROLES[c.caller_role[i]], True))
        if other >= 0 and other != caller:
            people.append((other, ROLES[c.other_role[i]], False))
        grade, route = cached.grade, cached.route
        row = {
            "channel": channel, "agency": "police", "source": "demo",
            "external_ref": f"{prefix}{channel}-{c.seq[i]:05d}",
            "received_at": received, "answered_at": answered if answered <= self.now else None,
            "narrative": variant.text, "lat": round(lat, 5), "lon": round(lon, 5), "location_description": where,
            "urban": urban, "area": area.name, "answers": variant.facts_json if answers else _EMPTY_OBJECT, "proposal": cached.json(attend_by, more),
            "grade": grade, "route": route, "flags": cached.flags_json,
            "policy_version": cached.proposal["policy_version"],
            "household": self._household(house, people, received.date()) if house >= 0 else _EMPTY_LIST,
            "status": "awaiting_decision" if waiting else "decided",
            # The handler accepted the proposal (route ids are plain ASCII words: no escaping needed).
            "decision": None if waiting else RawJSON(
                f'{{"grade": {grade}, "route": "{route}", "reason": null, "by": "{ACTOR}", '
                f'"at": "{clock.iso(decided)}", "appointment_at": null, "downgrade": false}}'),
            "recorded_by": ACTOR,
        }
        return row, {"people": people, "attend_by": attend_by, "kind": KINDS[kind_i].id, "answered": answered}

    def _household(self, house: int, people: list[tuple[int, str, bool]], day: date) -> list[dict[str, Any]]:
        """Other people at the address of the incident who carry a vulnerability marker.

        Worked out for contacts at a home address only (the spine also looks at every involved person's
        address); enough for handlers to see the check at work, and cheap.
        """
        members = self.marked_members(house)
        if not members:
            return []
        involved = {p for p, _, _ in people}
        out = []
        for member in members:
            if member in involved:
                continue
            markers = self.pop.markers(member, day) or list(self.markers_today(member))
            out.append({"person_id": self.person_ids[member], "name": self.pop.name(member),
                        "age": self.pop.age_on(member, day), "markers": sorted(markers)})
        return out

    def _write_incidents(self, conn: Connection, rng: np.random.Generator, day: date,
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
            status, info = "closed", dict[str, Any](demo=True)
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
        insert_rows(conn, table, out)
        return len(out), open_count



@lru_cache(maxsize=4096)
def _sorted_json(items: tuple[str, ...]) -> RawJSON:
    """A person's markers as JSON, sorted (a handful of distinct sets recur)."""
    return RawJSON(json.dumps(sorted(items)))
