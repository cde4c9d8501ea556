"""Recording a contact writes its rows in as few statements as the database allows (contact/write.py),
and exactly the rows the one-by-one path writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from bluelamp.audit import service as audit
from bluelamp.audit.store import AuditEntry
from bluelamp.contact import service, write
from bluelamp.contact.model import ContactIn
from bluelamp.contact.store import Contact, ContactPerson, IdempotencyKey, Person, PersonDetail
from bluelamp.jobs.store import Job
from bluelamp.location.store import ContactLocation
from bluelamp.response.store import Incident

KNIFE = {
    "channel": "999", "received_at": "2026-03-01T20:58:00Z",
    "narrative": "He has a knife and is kicking my door in right now, my kids are upstairs",
    "location": {"lat": 52.8, "lon": -2.1, "description": "12 High Street, Stafford", "urban": True},
    "caller": {"name": "Jane Doe", "phone": "07700 900123", "dob": "1985-04-02",
               "address": "12 High Street, Stafford", "role": "victim"},
    "people": [{"name": "Tom Doe", "dob": "2015-02-01", "address": "12 High Street, Stafford", "role": "other"},
               {"name": "Rob Roe", "phone": "07700 900999", "role": "suspect"}],
}
ADVICE = {"channel": "101", "narrative": "I want to report that someone scammed me out of 200 pounds online",
          "caller": {"name": "Sam Smith", "phone": "07700 900456", "role": "victim"}}


def _record(db, principal, body: dict[str, Any], key: str | None) -> tuple[dict[str, Any], list[str]]:  # type: ignore[no-untyped-def]
    """Record one contact; returns the answer and the statements of its own transaction, commit
    included (not the sealing round's, which runs on the sealer's own connection after the commit)."""
    seen: list[str] = []
    with db.unit_of_work() as session:
        mine = session.connection()

        def listen(conn: Any, _cur: Any, statement: str, *_args: Any) -> None:
            if conn is mine:
                seen.append(" ".join(statement.split()))

        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            idem = (key, service.request_digest(body)) if key else None
            answer = service.record_contact(session, ContactIn.model_validate(body), principal, idempotency=idem)
        except BaseException:
            event.remove(db.engine, "before_cursor_execute", listen)
            raise
    event.remove(db.engine, "before_cursor_execute", listen)  # the commit's own statements counted too
    return answer, seen


def _rows(db, answer: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Everything recording wrote for one contact, ids replaced by their order, for comparison."""
    contact_id, incident_id = answer["id"], answer["incident_id"]
    with db.unit_of_work(write=False) as session:
        contact = session.get(Contact, contact_id)
        links = session.execute(select(ContactPerson).where(ContactPerson.contact_id == contact_id)
                                .order_by(ContactPerson.id)).scalars().all()
        people = {link.person_id: i for i, link in enumerate(links)}
        details = session.execute(select(PersonDetail).where(PersonDetail.contact_id == contact_id)
                                  .order_by(PersonDetail.id)).scalars().all()
        place = session.get(ContactLocation, contact_id)
        incident = session.get(Incident, incident_id) if incident_id else None
        jobs = session.execute(select(Job).where(Job.dedupe_key == f"rethrive:{incident_id}:0")).scalars().all()
        key = session.execute(select(IdempotencyKey).where(IdempotencyKey.response["id"].as_integer() == contact_id)
                              ).scalars().all() if db.dialect == "postgresql" else []
        trail = [(e.action, e.entity) for e in audit.trail(session, "contact", contact_id)]
        markers = [session.get(Person, link.person_id).markers for link in links]  # type: ignore[union-attr]
        return {
            "contact": {c: getattr(contact, c) for c in ("channel", "received_at", "answered_at", "narrative", "lat",
                                                          "lon", "urban", "area", "answers", "proposal", "grade",
                                                          "route", "flags", "household", "status", "team")},
            "given_roles": [p["role"] for p in (contact.given or {}).get("people", [])],  # type: ignore[union-attr]
            "links": [(people[x.person_id], x.role, x.is_caller, x.phone_key, x.received_at) for x in links],
            "details": [(people[d.person_id], d.field, d.value, d.source, d.verified, d.actor) for d in details],
            "markers": markers,
            "location": place and (place.source, place.confirmed, place.beat),
            "incident": incident and (incident.contact_id == contact_id, incident.grade, incident.status,
                                      incident.flags, incident.attend_by, incident.lat, incident.area),
            "jobs": [(j.kind, j.payload == {"incident_id": incident_id}, j.run_at, j.status) for j in jobs],
            "key": [(k.status_code, k.response == answer) for k in key],
            "trail": trail,
        }


def _shape(seen: list[str]) -> list[str]:
    """Each statement as its verb and first table: 'SELECT person', 'WITH contact', 'INSERT person'."""
    out = []
    for statement in seen:
        words = statement.replace("(", " ").split()
        verb = words[0]
        after = {"SELECT": "FROM", "INSERT": "INTO", "WITH": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}[verb]
        out.append(f"{verb} {words[words.index(after) + 1].split('.')[0]}")
    return out


def _warm(db, who) -> None:  # type: ignore[no-untyped-def]
    """One contact first: the process's caches (boundaries, gazetteer) load once, not per contact."""
    _record(db, who, {"channel": "101", "narrative": "warm up", "location": {"lat": 52.0, "lon": -2.0}}, None)


def test_a_deploying_contact_writes_in_seven_statements_on_postgresql(db, principal, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    """The handler's call, the people candidates, the new person, the repeat counts, the household;
    then one statement for the contact, location, people, details and incident with the duplicates
    look-up; the victim's new markers (flushed before the next statement); one closing statement (key,
    prompt, audit entries). The code before sent 15 (the audit entries at commit)."""
    who = principal("call_handler")
    _warm(db, who)
    answer, seen = _record(db, who, dict(KNIFE, people=[]), "k1")
    assert answer["incident_id"] is not None
    reads = ["SELECT tel_call", "SELECT person", "INSERT person", "SELECT contact_person", "SELECT person"]
    if db.dialect == "postgresql":
        assert _shape(seen) == [*reads, "WITH contact", "UPDATE person", "WITH idempotency_key"], seen
    else:  # the portable path: the same rows one statement each (SQLite has no data-modifying CTEs)
        assert _shape(seen) == [*reads, "INSERT contact", "INSERT contact_location", "INSERT contact_person",
                                "INSERT person_detail", "INSERT incident", "UPDATE person", "SELECT incident",
                                "INSERT job", "INSERT idempotency_key", "INSERT audit_pending"], seen


def test_a_contact_without_deployment_writes_in_six_statements_on_postgresql(db, principal, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    """No location and no address: no duplicates or household look-up. The code before sent 10 (the
    audit entries at commit)."""
    who = principal("call_handler")
    _warm(db, who)
    answer, seen = _record(db, who, ADVICE, "k2")
    assert answer["incident_id"] is None
    reads = ["SELECT tel_call", "SELECT person", "INSERT person", "SELECT contact_person"]
    if db.dialect == "postgresql":
        assert _shape(seen) == [*reads, "WITH contact", "WITH idempotency_key"], seen
    else:
        assert _shape(seen) == [*reads, "INSERT contact", "INSERT contact_location", "INSERT contact_person",
                                "INSERT person_detail", "INSERT idempotency_key", "INSERT audit_pending"], seen


def test_the_duplicates_found_inside_the_insert_are_those_found_after_it(db, principal, fixed_clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two earlier incidents near the same place: a third contact there lists both, the same on either
    path, and never its own incident."""
    who = principal("call_handler")
    first, _ = _record(db, who, KNIFE, None)
    second, _ = _record(db, who, _swapped(KNIFE), None)
    with monkeypatch.context() as m:
        m.setattr(write, "one_statement", lambda _session: False)
        slow, _ = _record(db, who, dict(KNIFE, people=[], caller=None), None)
    fast, _ = _record(db, who, dict(KNIFE, people=[], caller=None), None)
    found = [d["incident_id"] for d in slow["possible_duplicates"]]
    assert set(found) >= {first["incident_id"], second["incident_id"]} and slow["incident_id"] not in found
    assert [d for d in fast["possible_duplicates"] if d["incident_id"] != slow["incident_id"]] == \
        slow["possible_duplicates"]
    assert fast["incident_id"] not in [d["incident_id"] for d in fast["possible_duplicates"]]


SWAPS = (("Doe", "Dee"), ("Roe", "Ree"), ("Smith", "Smyth"), ("07700 900", "07700 901"), ("07700900", "07700901"),
         ("12 High", "14 High"), ("12 high", "14 high"))


def _swapped(value: Any, back: bool = False) -> Any:
    """The same contact about other people (names, phones, addresses), so the second run matches nobody
    the first created; `back=True` maps the second run's values back for comparison."""
    if isinstance(value, dict):
        return {k: _swapped(v, back) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_swapped(v, back) for v in value)
    if isinstance(value, str):
        for old, new in SWAPS:
            value = value.replace(new, old) if back else value.replace(old, new)
    return value


@pytest.mark.parametrize("body", [KNIFE, ADVICE], ids=["deploying, three people", "advice, one caller"])
def test_one_statement_writes_the_same_rows_as_one_by_one(db, principal, fixed_clock, monkeypatch, body) -> None:  # type: ignore[no-untyped-def]
    """The same contact recorded down each path leaves the same rows, in the same order (on SQLite both
    runs take the one-by-one path, so there this checks that path against itself)."""
    who = principal("call_handler")
    with monkeypatch.context() as m:
        m.setattr(write, "one_statement", lambda _session: False)
        slow, slow_seen = _record(db, who, body, "slow")
    fast, fast_seen = _record(db, who, _swapped(body), "fast")
    assert not any(s.startswith("WITH") for s in slow_seen)
    if db.dialect == "postgresql":
        assert len(fast_seen) <= len(slow_seen) - 3, (fast_seen, slow_seen)
    assert _swapped(_rows(db, fast), back=True) == _rows(db, slow)
    with db.unit_of_work(write=False) as session:
        # Entries in the order recorded (incident first, as before), and the chain whole.
        actions = [e.action for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
                   if not e.action.startswith("user.")]
        assert audit.verify(session).ok
    half = len(actions) // 2
    assert actions[:half] == actions[half:] and actions[-1] == "contact.recorded"
    if body is KNIFE:
        assert actions[half:] == ["incident.opened", "contact.recorded"]


def test_a_twin_that_took_the_key_first_rolls_the_whole_contact_back(db, principal, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    """The closing statement carries the key: if it clashes, nothing of the second contact stays, not
    its rows, not its prompt, not its audit entries."""
    who = principal("call_handler")
    first, _ = _record(db, who, KNIFE, "twin")
    with pytest.raises(service.ReplayRace), db.unit_of_work() as session:
        service.record_contact(session, ContactIn.model_validate(_swapped(KNIFE)), who,
                               idempotency=("twin", service.request_digest(KNIFE)))
    with db.unit_of_work(write=False) as session:
        assert session.execute(select(Contact.id)).scalars().all() == [first["id"]]
        assert session.execute(select(Incident.id)).scalars().all() == [first["incident_id"]]
        assert len(session.execute(select(Job.id)).scalars().all()) == 1
        assert [e.action for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
                if not e.action.startswith("user.")] == ["incident.opened", "contact.recorded"]
        assert audit.verify(session).ok


def test_a_prompt_held_for_the_closing_statement_is_written_at_commit_if_nobody_wrote_it(db) -> None:  # type: ignore[no-untyped-def]
    from bluelamp.jobs.runner import enqueue_once

    at = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
    with db.unit_of_work() as session:
        enqueue_once(session, "incident.rethrive", {"incident_id": 7}, at, dedupe_key="rethrive:7:0", defer=True)
    with db.unit_of_work(write=False) as session:
        job = session.execute(select(Job)).scalar_one()
        assert (job.dedupe_key, job.payload, job.run_at, job.status) == ("rethrive:7:0", {"incident_id": 7}, at, "queued")
    with pytest.raises(RuntimeError), db.unit_of_work() as session:
        enqueue_once(session, "incident.rethrive", {"incident_id": 8}, at, dedupe_key="rethrive:8:0", defer=True)
        raise RuntimeError("rolled back: the held row goes with it")
    with db.unit_of_work() as session:
        assert len(session.execute(select(Job)).scalars().all()) == 1


def test_psycopg_keeps_the_parse_of_the_long_contact_statement(db, principal, fixed_clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """psycopg re-parses a query over 4096 bytes or 50 parameters on every execution unless told
    otherwise (db/engine.py): recording a contact must not parse any of its statements again."""
    if db.dialect != "postgresql":
        pytest.skip("psycopg is the PostgreSQL driver")
    from psycopg import _queries

    who = principal("call_handler")
    _record(db, who, KNIFE, None)  # the first time each statement is parsed and cached
    parsed: list[bytes] = []
    original = _queries._query2pg_nocache
    monkeypatch.setattr(_queries, "_query2pg_nocache", lambda q, *a: parsed.append(q) or original(q, *a))
    _record(db, who, _swapped(KNIFE), None)
    assert parsed == []
