"""The rows of a new contact in as few statements as the database allows (issue 11, the write path).

Recording a contact inserts the contact, how its location was found, who was in it, the details each
person gave and, when it deploys, its incident. All of them wait only for the contact's id (and none
is read back in the transaction), so on PostgreSQL they go in as **one statement**: a data-modifying
CTE (`WITH c AS (INSERT INTO contact ... RETURNING id), ... SELECT c.id, i.id`), the rows of several
people as arrays through `unnest ... WITH ORDINALITY`, inserted in the order given so their ids come
out as separate INSERTs would give them. Every statement of a round trip costs about 0.3 ms of CPU
through `Session.execute` on top of the round trip itself (docs/performance.md, session 8), and these
were 4 to 5 of a contact's 16. The statement is built once per shape (with or without an incident)
with bound parameters, and goes through `Session.execute`, so the read-only guard and the
commit-failure tests see it as they saw the separate INSERTs.

SQLite has no data-modifying CTEs: there the same rows go in one after another, as before. Both paths
write exactly the same rows; `tests/contact/test_contact_write.py` compares them.

This module touches the tables of three contexts (contact, location, response) because it is the one
statement that writes them together; what goes in each row is still decided by its own context
(`location.service.Resolved.row`, `matching.detail_rows`, `response.service.new_incident`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import ARRAY, Boolean, Integer, String, bindparam, func, insert, select, true
from sqlalchemy.orm import Session

from bluelamp.contact.store import Contact, ContactPerson, IdempotencyKey, PersonDetail
from bluelamp.db.attach import attach, row_values
from bluelamp.db.base import table
from bluelamp.location.store import ContactLocation
from bluelamp.response.store import Incident

LINK_ARRAYS = ("person_id", "role", "is_caller", "phone_key")  # per person; contact_id, received_at shared
DETAIL_ARRAYS = ("person_id", "field", "value")  # per detail; source, verified, actor, at shared
DETAIL_SHARED = ("source", "verified", "actor", "at")


def insert_contact_rows(session: Session, contact: dict[str, Any], location: dict[str, Any],
                        links: list[dict[str, Any]], details: list[dict[str, Any]],
                        incident: Incident | None,
                        duplicates: tuple[Any, dict[str, Any]] | None = None) -> tuple[int, list[Any] | None]:
    """Insert a new contact with its location row, people links, person details and (optionally) its
    incident, which is then attached to the session with its id. Returns the contact's id and, on
    PostgreSQL, the rows of the possible-duplicates look-up (`location.duplicates.lookup`), run by the
    same statement (else None: the caller runs it).

    `links` and `details` are rows without `contact_id`; `incident` is a new, unsaved Incident whose
    `contact_id` is set here. The look-up reads the incidents as the statement began, so it never sees
    this contact's own incident (which `possible_duplicates` leaves out anyway).
    """
    if not one_statement(session):
        return _one_by_one(session, contact, location, links, details, incident), None
    # No flush first: what is pending (a matched person's new details, then the markers this contact
    # gives) goes out in one UPDATE later, as it did.
    params: dict[str, Any] = {f"c_{k}": v for k, v in contact.items()}
    params.update({f"l_{k}": v for k, v in location.items()})
    params["p_received_at"] = contact["received_at"]
    params.update({f"p_{k}": [row[k] for row in links] for k in LINK_ARRAYS})
    shared = details[0] if details else {}
    if any(row[k] != shared[k] for row in details for k in DETAIL_SHARED):
        raise ValueError("the details of one contact share their source, verified flag, actor and time")
    params.update({f"d_{k}": shared.get(k) for k in DETAIL_SHARED})
    params.update({f"d_{k}": [row[k] for row in details] for k in DETAIL_ARRAYS})
    if incident is not None:
        # Every column but id and contact_id is bound (a column the object and its defaults leave to
        # the database would be a missing parameter: an error, never a silent NULL).
        params.update({f"i_{k}": v for k, v in row_values(incident).items() if k != "contact_id"})
    query = None
    if duplicates is not None:
        query, more = duplicates
        if set(more) & set(params):
            raise ValueError("the duplicates look-up's parameters clash with the contact's")
        params.update(more)
    rows = session.execute(_statement(incident is not None, query), params).all()
    contact_id = int(rows[0].contact_id_)
    if incident is not None:
        incident.contact_id = contact_id  # before attaching: part of its clean, stored state
        attach(session, incident, rows[0].incident_id_)
    # No candidate leaves one row of NULLs (the look-up is outer-joined to the new ids).
    return contact_id, [r for r in rows if r.id is not None] if query is not None else None


def one_statement(session: Session) -> bool:
    """Whether the rows go in as one statement (PostgreSQL), else one by one (the portable path)."""
    return bool(session.get_bind().dialect.name == "postgresql")


def _one_by_one(session: Session, contact: dict[str, Any], location: dict[str, Any],
                links: list[dict[str, Any]], details: list[dict[str, Any]], incident: Incident | None) -> int:
    """The portable path (SQLite): the same rows, one INSERT each, in the same order."""
    contacts = table(Contact)
    contact_id = int(session.execute(insert(contacts).returning(contacts.c.id), contact).scalar_one())
    session.execute(insert(table(ContactLocation)), [{"contact_id": contact_id, **location}])
    if links:
        session.execute(insert(table(ContactPerson)), [
            {"contact_id": contact_id, "received_at": contact["received_at"], **row} for row in links])
    if details:
        session.execute(insert(table(PersonDetail)), [{**row, "contact_id": contact_id} for row in details])
    if incident is not None:
        incident.contact_id = contact_id
        incidents = table(Incident)
        new_id = session.execute(insert(incidents).returning(incidents.c.id), row_values(incident)).scalar_one()
        attach(session, incident, new_id)
    return contact_id


def _binds(prefix: str, t: Any, keys: tuple[str, ...] | list[str]) -> list[Any]:
    return [bindparam(f"{prefix}_{k}", type_=t.c[k].type) for k in keys]


@lru_cache(maxsize=8)
def _statement(with_incident: bool, duplicates: Any = None) -> Any:
    """The one PostgreSQL statement for a contact's rows, and the duplicates look-up (one of the few
    fixed, cached candidates queries of location.duplicates) as its result; built once per shape."""
    contacts, loc, cp, pd, inc = (table(Contact), table(ContactLocation), table(ContactPerson),
                                  table(PersonDetail), table(Incident))
    contact_cols = [c.key for c in contacts.columns if c.key != "id"]
    c = (insert(contacts).values(dict(zip(contact_cols, _binds("c", contacts, contact_cols), strict=True)))
         .returning(contacts.c.id).cte("c"))
    loc_cols = [col.key for col in loc.columns if col.key != "contact_id"]
    loc_ins = insert(loc).from_select(["contact_id", *loc_cols], select(c.c.id, *_binds("l", loc, loc_cols)))
    people = func.unnest(
        bindparam("p_person_id", type_=ARRAY(Integer)), bindparam("p_role", type_=ARRAY(String)),
        bindparam("p_is_caller", type_=ARRAY(Boolean)), bindparam("p_phone_key", type_=ARRAY(String)),
    ).table_valued(*LINK_ARRAYS, with_ordinality="n").render_derived("p")
    links_ins = insert(cp).from_select(
        ["contact_id", "received_at", *LINK_ARRAYS],
        select(c.c.id, bindparam("p_received_at", type_=cp.c.received_at.type),
               *[people.c[k] for k in LINK_ARRAYS]).select_from(c).join(people, true()).order_by(people.c.n))
    given = func.unnest(
        bindparam("d_person_id", type_=ARRAY(Integer)), bindparam("d_field", type_=ARRAY(String)),
        bindparam("d_value", type_=ARRAY(String)),
    ).table_valued(*DETAIL_ARRAYS, with_ordinality="n").render_derived("d")
    details_ins = insert(pd).from_select(
        ["contact_id", *DETAIL_SHARED, *DETAIL_ARRAYS],
        select(c.c.id, *_binds("d", pd, DETAIL_SHARED), *[given.c[k] for k in DETAIL_ARRAYS])
        .select_from(c).join(given, true()).order_by(given.c.n))
    ctes = [loc_ins.cte("l"), links_ins.cte("p_ins"), details_ins.cte("d_ins")]
    columns = [c.c.id.label("contact_id_")]
    source: Any = c
    if with_incident:
        inc_cols = [col.key for col in inc.columns if col.key not in ("id", "contact_id")]
        i = (insert(inc).from_select(["contact_id", *inc_cols], select(c.c.id, *_binds("i", inc, inc_cols)))
             .returning(inc.c.id).cte("i"))
        columns.append(i.c.id.label("incident_id_"))
        source = source.join(i, true())
    statement = select(*columns)
    if duplicates is not None:
        dup = duplicates.subquery("dup")
        statement = select(*columns, *dup.c).order_by(dup.c.id)  # the candidates in id order, as alone
        source = source.outerjoin(dup, true())
    return statement.select_from(source).add_cte(*ctes)


# --- the closing statement: idempotency key, the incident's first prompt, the audit entries ----------


AUDIT_ARRAYS = ("at", "actor", "action", "entity", "entity_id", "content", "content_digest", "nonce", "mac")


def close_contact(session: Session, key_row: dict[str, Any] | None) -> None:
    """The last writes of recording a contact: its idempotency key (if any) with the answer, the new
    incident's re-THRIVE prompt held by `jobs.runner.enqueue_once(defer=True)`, and every audit entry of
    the transaction so far. On PostgreSQL one statement (data-modifying CTEs, the entries through
    `unnest ... WITH ORDINALITY` so their ids keep the order they were recorded in: the chain's order);
    elsewhere the same rows one statement each, the entries at commit as in every transaction.

    A twin request that took the key first makes this raise IntegrityError, so the whole transaction,
    its entries with it, rolls back (the caller replays the stored answer).
    """
    from bluelamp.audit.service import take_pending_rows
    from bluelamp.jobs.runner import insert_once_statement, take_deferred

    dialect = session.get_bind().dialect.name
    jobs = take_deferred(session)
    if not one_statement(session):
        for job in jobs:
            session.execute(insert_once_statement(dialect), job)
        if key_row is not None:
            session.execute(insert(table(IdempotencyKey)), key_row)
        return
    entries = take_pending_rows(session)
    one_job = jobs[:1] if len(jobs) == 1 else []
    for job in jobs if not one_job else []:  # more than one prompt: never on this path, but kept exact
        session.execute(insert_once_statement(dialect), job)
    if not entries:  # nothing audited yet (never, recording a contact): the key and prompt alone
        if key_row is not None:
            session.execute(insert(table(IdempotencyKey)), key_row)
        for job in one_job:
            session.execute(insert_once_statement(dialect), job)
        return
    params: dict[str, Any] = {f"a_{k}": [row[k] for row in entries] for k in AUDIT_ARRAYS}
    if key_row is not None:
        params.update({f"k_{k}": v for k, v in key_row.items()})
    if one_job:
        params.update({f"j_{k}": v for k, v in one_job[0].items()})
    session.execute(_closing_statement(key_row is not None, bool(one_job)), params)


@lru_cache(maxsize=4)
def _closing_statement(with_key: bool, with_job: bool) -> Any:
    """close_contact's PostgreSQL statement for one shape, built once with bound parameters."""
    from sqlalchemy.dialects.postgresql import JSONB
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    from bluelamp.audit.store import AuditPending
    from bluelamp.jobs.store import Job

    pending, keys, jobs = table(AuditPending), table(IdempotencyKey), table(Job)
    arrays = [bindparam(f"a_{k}", type_=ARRAY(JSONB if k == "content" else pending.c[k].type)) for k in AUDIT_ARRAYS]
    given = func.unnest(*arrays).table_valued(*AUDIT_ARRAYS, with_ordinality="n").render_derived("a")
    statement = insert(pending).from_select(
        list(AUDIT_ARRAYS), select(*[given.c[k] for k in AUDIT_ARRAYS]).order_by(given.c.n))
    if with_key:
        key_cols = [c.key for c in keys.columns]
        statement = statement.add_cte(
            insert(keys).values(dict(zip(key_cols, _binds("k", keys, key_cols), strict=True))).cte("k"))
    if with_job:
        job_cols = ["kind", "payload", "run_at", "status", "attempts", "dedupe_key"]
        statement = statement.add_cte(
            pg_insert(jobs).values(dict(zip(job_cols, _binds("j", jobs, job_cols), strict=True)))
            .on_conflict_do_nothing(index_elements=["dedupe_key"]).cte("j"))
    return statement
