"""The audit sealer (audit/sealer.py): entries commit unchained with their change and are chained just
after the commit. A crash between the two leaves entries waiting, which the next start (or job runner
pass) chains; concurrent writers end in one valid chain in a commit-consistent order; tampering with a
sealed or a waiting entry is detected."""

from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from bluelamp.audit import sealer
from bluelamp.audit import service as audit
from bluelamp.audit.store import AuditEntry, AuditHead, AuditPending
from bluelamp.db.migrate import upgrade


def _crash_before_sealing(db, n: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Commit n audited changes with the process 'dying' between the commit and the seal."""
    monkeypatch.setattr(sealer.Sealer, "after_commit", lambda self: None)
    with db.unit_of_work() as session:
        for i in range(n):
            audit.record(session, "user:alice", "thing.changed", "thing", i, after={"v": i})
    monkeypatch.undo()


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.unit_of_work(write=False) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_lone_writers_entry_is_chained_by_the_time_its_unit_of_work_returns(db):
    with db.unit_of_work() as session:
        audit.record(session, "user:alice", "thing.changed", "thing", 1, after={"v": 1})
    assert _count(db, AuditPending) == 0 and _count(db, AuditEntry) == 1
    with db.unit_of_work(write=False) as session:
        head = session.get(AuditHead, 1)
        assert head is not None and head.seq == 1
    assert audit.anchor_path_for(str(db.engine.url)).read_text().split()[0] == "1"


def test_a_crash_leaves_entries_waiting_verify_reports_them_and_the_next_start_chains_them(db, monkeypatch):
    with db.unit_of_work() as session:
        audit.record(session, "user:alice", "thing.changed", "thing", "before", after={"v": 0})
    _crash_before_sealing(db, 3, monkeypatch)
    assert _count(db, AuditPending) == 3 and _count(db, AuditEntry) == 1
    with db.unit_of_work(write=False) as session:
        fresh = audit.verify(session)
    assert fresh.ok, fresh.problems  # waiting for seconds is normal: counted, not an alarm
    assert (fresh.entries, fresh.unsealed) == (1, 3)
    # the same entries, long after: the sealer is not running, which verify says
    with db.unit_of_work(write=False) as session:
        late = audit.verify(session, unsealed_alarm_s=-1)
    assert any("not chained" in p and "sealer is not running" in p for p in late.problems)
    # the trail of a record shows a waiting entry as well
    with db.unit_of_work(write=False) as session:
        assert [e.entity_id for e in audit.trail(session, "thing", 2)] == ["2"]

    upgrade(db.engine)  # what every command and the server do at start
    assert _count(db, AuditPending) == 0 and _count(db, AuditEntry) == 4
    with db.unit_of_work(write=False) as session:
        result = audit.verify(session)
        chained = [e.entity_id for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()]
    assert result.ok and result.unsealed == 0 and result.entries == 4, result.problems
    assert chained == ["before", "0", "1", "2"]  # in the order they were written
    assert audit.anchor_path_for(str(db.engine.url)).read_text().split()[0] == "4"


def test_the_job_runner_pass_chains_what_a_crash_left(db, monkeypatch):
    _crash_before_sealing(db, 2, monkeypatch)
    assert sealer.seal_left_over(db.engine) == 2
    assert sealer.seal_left_over(db.engine) == 0
    assert _count(db, AuditPending) == 0 and _count(db, AuditEntry) == 2


def _writer(db, worker: int, n: int, errors: list[BaseException]) -> None:  # type: ignore[no-untyped-def]
    try:
        for i in range(n):
            with db.unit_of_work() as session:
                audit.record(session, f"user:w{worker}", "thing.changed", "thing", f"{worker}-{i}", after={"i": i})
                audit.record(session, f"user:w{worker}", "thing.checked", "thing", f"{worker}-{i}", after={"i": i})
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def test_concurrent_writers_end_in_one_valid_chain_in_each_writers_order(db):
    """Half the writers through a second Database (its own engine and sealer, as a second server
    process has): sealers of different processes serialise on the head row."""
    from bluelamp.db.engine import Database

    other = Database(db.url)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_writer, args=(db if w % 2 else other, w, 12, errors)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sealer.sealer_for(db.engine).wait_idle() and sealer.sealer_for(other.engine).wait_idle()
    other.dispose()
    assert not errors
    with db.unit_of_work(write=False) as session:
        result = audit.verify(session)
        rows = session.execute(select(AuditEntry.seq, AuditEntry.entity_id, AuditEntry.action)
                               .order_by(AuditEntry.seq)).all()
    assert result.ok and result.unsealed == 0, result.problems
    assert [r.seq for r in rows] == list(range(1, 6 * 12 * 2 + 1))
    for w in range(6):
        mine = [(r.entity_id, r.action) for r in rows if r.entity_id.startswith(f"{w}-")]
        # each writer's transactions in the order it committed them, each transaction's entries together
        assert mine == [(f"{w}-{i}", a) for i in range(12) for a in ("thing.changed", "thing.checked")]
    anchored = audit.anchor_path_for(str(db.engine.url)).read_text().split()
    assert int(anchored[0]) == 144


def test_entries_are_chained_in_commit_order_not_in_the_order_they_were_recorded(db, monkeypatch):
    monkeypatch.setattr(sealer.Sealer, "after_commit", lambda self: None)
    first, second = db.sessions(), db.sessions()
    try:
        audit.record(first, "user:alice", "thing.changed", "thing", "recorded-first")
        audit.record(second, "user:bob", "thing.changed", "thing", "recorded-second")
        second.commit()  # committed first
        first.commit()
    finally:
        first.close()
        second.close()
    monkeypatch.undo()
    sealer.seal_left_over(db.engine)
    with db.unit_of_work(write=False) as session:
        rows = session.execute(select(AuditEntry.entity_id, AuditEntry.at).order_by(AuditEntry.seq)).all()
        assert audit.verify(session).ok
    assert [r.entity_id for r in rows] == ["recorded-second", "recorded-first"]
    assert rows[0].at > rows[1].at  # so the order is the commits', not the clock's


def test_tampering_with_a_sealed_entry_is_detected(db):
    with db.unit_of_work() as session:
        for i in range(4):
            audit.record(session, "user:alice", "thing.changed", "thing", i, after={"v": i})
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET entity_id = '99' WHERE seq = 2"))
    with db.unit_of_work(write=False) as session:
        problems = audit.verify(session).problems
    assert any("entry 2" in p and "digest" in p for p in problems), problems


def test_an_entry_edited_while_it_waits_is_never_chained_and_verify_says_so(db, monkeypatch):
    _crash_before_sealing(db, 2, monkeypatch)
    with db.engine.begin() as conn:
        first = conn.execute(text("SELECT min(id) FROM audit_pending")).scalar_one()
        conn.execute(text("UPDATE audit_pending SET actor = 'user:mallory' WHERE id = :i"), {"i": first})
    assert sealer.seal_left_over(db.engine) == 1  # the genuine one is chained, the edited one is not
    with db.unit_of_work(write=False) as session:
        result = audit.verify(session)
    assert result.unsealed == 1
    assert any(f"waiting entry {first}" in p and "MAC" in p for p in result.problems), result.problems
    assert any("alarm" in p for p in result.problems)


def test_a_forged_waiting_entry_is_not_chained(db, monkeypatch):
    """Write access to the tables alone cannot get an entry into the chain: it has no valid MAC."""
    _crash_before_sealing(db, 1, monkeypatch)
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_pending (at, actor, action, entity, entity_id, content, content_digest, nonce, mac) "
            "SELECT at, 'user:mallory', action, entity, '7', content, content_digest, nonce, :m FROM audit_pending"),
            {"m": "a" * 64})
    assert sealer.seal_left_over(db.engine) == 1
    with db.unit_of_work(write=False) as session:
        actors = list(session.execute(select(AuditEntry.actor)).scalars())
        result = audit.verify(session)
    assert actors == ["user:alice"]
    assert not result.ok and result.unsealed == 1


def test_waiting_content_set_to_null_is_tampering(db, monkeypatch):
    _crash_before_sealing(db, 1, monkeypatch)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_pending SET content = NULL"))
    with db.unit_of_work(write=False) as session:
        problems = audit.verify(session).problems
    assert any("content is missing" in p and "waiting entry" in p for p in problems), problems


def test_a_waiting_entry_deleted_from_the_end_of_the_chain_after_sealing_is_still_caught(db, monkeypatch):
    _crash_before_sealing(db, 3, monkeypatch)
    sealer.seal_left_over(db.engine)
    with db.engine.begin() as conn:
        last = conn.execute(text("SELECT digest FROM audit_entry WHERE seq = 2")).scalar_one()
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 3"))
        conn.execute(text("UPDATE audit_head SET seq = 2, digest = :d"), {"d": last})
    with db.unit_of_work(write=False) as session:
        assert any("removed from the end" in p for p in audit.verify(session).problems)


def test_the_auditor_api_shows_waiting_entries_as_not_sealed(client, make_user, db, monkeypatch):
    _, headers = make_user("auditor")
    _crash_before_sealing(db, 1, monkeypatch)
    res = client.get("/api/v1/audit?entity=thing", headers=headers)
    assert res.status_code == 200, res.text
    body = res.json()
    assert [(e["sealed"], e["seq"], e["digest"]) for e in body] == [(False, None, None)]
    res = client.get("/api/v1/audit/verify", headers=headers)
    assert res.status_code == 200 and res.json()["unsealed"] == 1 and res.json()["ok"] is True
    sealer.seal_left_over(db.engine)
    body = client.get("/api/v1/audit?entity=thing", headers=headers).json()
    assert [e["sealed"] for e in body] == [True] and isinstance(body[0]["seq"], int)


def test_the_audit_page_shows_waiting_entries_and_verify_counts_them(client, make_user, db, monkeypatch,
                                                                     form_login):
    name, _ = make_user("auditor")
    form_login(client, name)
    _crash_before_sealing(db, 1, monkeypatch)  # after signing in: any commit's round chains what waits
    page = client.get("/audit?verify=1")
    assert page.status_code == 200
    assert "not chained yet" in page.text
    assert "1 committed entries still waiting to be chained" in page.text
