"""Seed the demo force: users, then contacts, people and incidents in batches of whole days.

`seed` writes a whole history (the `bluelamp demo` command). `seed_if_empty` is for `serve --demo`: it
writes the most recent weeks at once, so the server is usable in seconds, and the older history in a
background thread. Each batch is one transaction with one audit entry ("demo.seeded", with counts).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.contact.store import Contact
from bluelamp.db.engine import Database
from bluelamp.identity import service as identity
from bluelamp.identity.store import User
from bluelamp.jobs.runner import enqueue
from bluelamp.policy import Policy, load_policy
from bluelamp.response.store import Incident
from bluelamp.synth.people import population
from bluelamp.synth.plan import Planner
from bluelamp.synth.render import ACTOR, Counts, Renderer

log = logging.getLogger("bluelamp.synth")

PASSWORD = "bluelamp-demo"
USERS: tuple[tuple[str, str], ...] = (
    ("handler", "call_handler"), ("supervisor", "supervisor"), ("dispatcher", "dispatcher"),
    ("chatop", "chat_operator"), ("investigator", "investigator"), ("cab", "cab_officer"),
    ("victimcare", "victim_care"), ("analyst", "analyst"), ("leader", "leader"), ("auditor", "auditor"),
    ("admin", "admin"),
)
# The demo's investigator, their supervisor and victim care work in team "CID 1" (the demo crimes of
# officers pc001-pc010, crime/demo.py); the bureau works every crime. Separation of duties: docs/security.md.
TEAMS = {"investigator": "CID 1", "supervisor": "CID 1", "victimcare": "CID 1", "cab": "Bureau"}
OPEN_STATUSES = ("awaiting", "dispatched", "en_route", "at_scene")

Progress = Callable[[int], None]


class DemoAlreadySeeded(RuntimeError):
    """The database already holds demo contacts; seeding again would duplicate the force."""


def ensure_users(db: Database) -> int:
    """Create the demo users that do not exist yet (password "bluelamp-demo"); returns how many."""
    created = 0
    with db.unit_of_work() as session:
        existing = set(session.execute(select(User.username)).scalars())
        for name, role in USERS:
            if name not in existing:
                identity.add_user(session, name, [role], PASSWORD, actor=ACTOR, team=TEAMS.get(name))
                created += 1
    return created


def demo_contacts(db: Database) -> int:
    with db.unit_of_work() as session:
        return int(session.execute(select(func.count()).select_from(Contact).where(Contact.source == "demo"))
                   .scalar_one())


def any_contacts(db: Database) -> bool:
    with db.unit_of_work() as session:
        return session.execute(select(Contact.id).limit(1)).first() is not None


@dataclass
class Seeder:
    """A planned demo force for one seed and period, written to one database in batches of days."""

    db: Database
    seed: int = 42
    days: int = 365
    now: datetime = field(default_factory=clock.now)
    policy: Policy = field(default_factory=load_policy)

    def __post_init__(self) -> None:
        self.now = clock.as_utc(self.now)
        self.start = self.now - timedelta(days=self.days)
        pop = population(self.seed)
        planner = Planner(self.seed, pop, window_days=self.policy.matching.repeat_caller.window_days)
        self.plan = planner.plan(self.start, self.now)
        self.renderer = Renderer(self.seed, pop, planner.personas, self.policy, self.now)
        self.total = Counts()
        self._lock = threading.Lock()

    @property
    def day_ordinals(self) -> list[int]:
        return sorted(set(self.plan.day.tolist()))

    def write_days(self, ordinals: Iterable[int], batch_days: int = 7, progress: Progress | None = None,
                   pause_s: float = 0.0) -> Counts:
        """Write the given local dates (in the order given), `batch_days` to a transaction."""
        ordinals = list(ordinals)
        counts = Counts()
        for k in range(0, len(ordinals), batch_days):
            chunk = ordinals[k:k + batch_days]
            batch = self._write_batch(chunk)
            counts.add(batch)
            if progress:
                progress(batch.contacts)
            if pause_s:
                time.sleep(pause_s)  # let a serving process have the database and the GIL
        return counts

    def _write_batch(self, ordinals: list[int]) -> Counts:
        index = np.flatnonzero(np.isin(self.plan.day, ordinals))
        known = set(self.renderer.person_ids)
        first, last = min(ordinals), max(ordinals)
        with self._lock:
            try:
                with self.db.unit_of_work() as session:
                    counts = self.renderer.write(session.connection(), self.plan.take(index))
                    audit.record(session, ACTOR, "demo.seeded", "demo", f"seed-{self.seed}", after={
                        "seed": self.seed, "from": _iso_day(first), "to": _iso_day(last), **counts.as_dict()})
            except Exception:
                # The transaction rolled back: forget the people it would have written.
                for person in set(self.renderer.person_ids) - known:
                    del self.renderer.person_ids[person]
                raise
            self.total.add(counts)
        return counts

    def seed_response(self, start: datetime) -> dict[str, Any]:
        """Units on shift, and units assigned to the open incidents, from the response context if present.

        The demo writes every incident's times itself (vectorised, as it inserts); the response context's
        `seed_units_and_dispatch` adds the fleet and times what is still waiting near `now`.
        """
        try:
            from bluelamp.response.demo import seed_units_and_dispatch
        except ImportError:
            return {"units": "not available"}
        import random

        try:
            return dict(seed_units_and_dispatch(self.db, random.Random(self.seed), start, self.now))
        except Exception as exc:  # the contacts are seeded; a fleet problem must not undo them
            log.error("demo force: units were not seeded: %s", type(exc).__name__)
            return {"units": f"failed: {type(exc).__name__}"}

    def schedule_open_incidents(self) -> int:
        """Queue the re-THRIVE job the spine queues for every incident it opens, for open demo incidents."""
        with self.db.unit_of_work() as session:
            rows = session.execute(
                select(Incident.id, Incident.attend_by, Incident.received_at)
                .where(Incident.source == "demo", Incident.status.in_(OPEN_STATUSES))
            ).all()
            every = timedelta(hours=self.policy.reassessment.every_hours)
            for incident_id, attend_by, received_at in rows:
                enqueue(session, "incident.rethrive", {"incident_id": incident_id}, attend_by or received_at + every,
                        dedupe_key=f"rethrive:{incident_id}:0")
        return len(rows)

    def summary(self, seconds: float, users: int) -> dict[str, Any]:
        return {"seed": self.seed, "days": self.days, "from": clock.iso(self.start), "to": clock.iso(self.now),
                **self.total.as_dict(), "users_created": users, "triage_assessed": self.renderer.triage.calls,
                "triage_cached": self.renderer.triage.hits, "seconds": round(seconds, 1)}


def seed(db: Database, days: int = 365, seed: int = 42, batch_days: int = 7,
         progress_factory: Callable[[int], Progress] | None = None) -> dict[str, Any]:
    """Seed a full history into a database without demo contacts; returns the summary."""
    started = time.monotonic()
    if days < 1:
        raise ValueError("--days must be at least 1")
    if demo_contacts(db):
        raise DemoAlreadySeeded("the database already holds the demo force; use a fresh database to seed again")
    seeder, users = _prepare(db, seed, days)
    progress = progress_factory(len(seeder.plan)) if progress_factory else None
    seeder.write_days(seeder.day_ordinals, batch_days=batch_days, progress=progress)
    response = seeder.seed_response(seeder.start)
    seeder.schedule_open_incidents()
    crimes = seed_crimes(db, seed, seeder.now, days)
    return {**seeder.summary(time.monotonic() - started, users), "response": response, "crimes": crimes}


# A county force records roughly 80,000 crimes a year from about 730,000 contacts.
CRIMES_PER_DAY = 80_000 / 365


def seed_crimes(db: Database, seed: int, now: datetime, days: int) -> dict[str, Any]:
    """Crimes, plans, reviews, victims and bureau tasks for the most recent `days` (crime context's seeder)."""
    try:
        from bluelamp.crime.demo import seed_demo_crimes
    except ImportError:
        return {"crimes": "not available"}
    with db.unit_of_work() as session:
        return dict(seed_demo_crimes(session, random.Random(seed), now,
                                     crimes=max(50, int(CRIMES_PER_DAY * days)), days=days))


def seed_if_empty(db: Database, days: int = 365, seed: int = 42, recent_days: int = 21,
                  background: bool = True) -> threading.Thread | None:
    """For `serve --demo`: if there are no contacts, seed the recent weeks now and the rest in a thread.

    Returns the background thread (already started), or None when nothing is left to do in the background.
    """
    if any_contacts(db):
        return None
    started = time.monotonic()
    seeder, _users = _prepare(db, seed, days)
    ordinals = seeder.day_ordinals
    cut = (seeder.now - timedelta(days=recent_days)).astimezone(clock.LONDON).date().toordinal()
    recent = [d for d in ordinals if d >= cut]
    older = [d for d in ordinals if d < cut][::-1]  # newest first, so the history fills back in time
    seeder.write_days(recent, batch_days=7)
    seeder.seed_response(seeder.now - timedelta(days=recent_days))
    seeder.schedule_open_incidents()
    seed_crimes(db, seed, seeder.now, recent_days)
    log.info("demo force: %d recent contacts seeded in %.1f s", seeder.total.contacts, time.monotonic() - started)
    if not older:
        return None
    if not background:
        seeder.write_days(older, batch_days=7)
        return None

    def run() -> None:
        try:
            seeder.write_days(older, batch_days=1, pause_s=0.1)
            log.info("demo force: history complete (%d contacts)", seeder.total.contacts)
        except Exception as exc:  # a background thread has nobody to raise to; record the type only
            log.error("demo force: background seeding stopped: %s", type(exc).__name__)

    thread = threading.Thread(target=run, name="bluelamp-demo-seed", daemon=True)
    thread.start()
    return thread


def _prepare(db: Database, seed: int, days: int) -> tuple[Seeder, int]:
    """Create the users (slow password hashing, which frees the GIL) while the force is planned."""
    outcome: dict[str, Any] = {}

    def users() -> None:
        try:
            outcome["users"] = ensure_users(db)
        except Exception as exc:  # handed back to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=users, name="bluelamp-demo-users")
    thread.start()
    try:
        seeder = Seeder(db, seed=seed, days=days)
        from bluelamp.synth import boundaries

        boundaries.load(db)  # the demo force's own (synthetic) areas and beats, imported as a force would
    finally:
        thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return seeder, int(outcome["users"])


def _iso_day(ordinal: int) -> str:
    from datetime import date

    return date.fromordinal(ordinal).isoformat()
