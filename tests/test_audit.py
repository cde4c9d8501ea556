"""The audit trail is append-only and any edit, deletion or truncation is detected."""

from __future__ import annotations

from sqlalchemy import text

from bluelamp.audit import service as audit
from bluelamp.audit.store import AuditEntry


def _write(db, n: int = 5) -> None:
    with db.unit_of_work() as session:
        for i in range(n):
            audit.record(session, "user:alice", "thing.changed", "thing", i, before={"v": i}, after={"v": i + 1})


def _verify(db):
    with db.unit_of_work() as session:
        return audit.verify(session)


def test_an_untouched_chain_verifies(db):
    _write(db)
    result = _verify(db)
    assert result.ok, result.problems
    assert result.entries == 5


def test_it_detects_an_edited_entry(db):
    _write(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'user:mallory' WHERE seq = 3"))
    result = _verify(db)
    assert not result.ok
    assert any("entry 3" in p for p in result.problems)


def test_it_detects_edited_content(db):
    _write(db)
    with db.unit_of_work() as session:
        entry = session.get(AuditEntry, 2)
        entry.content = {"before": {"v": 99}, "after": {"v": 100}}
    assert any("content was changed" in p for p in _verify(db).problems)


def test_it_detects_a_deleted_entry_in_the_middle(db):
    _write(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
    assert any("missing" in p for p in _verify(db).problems)


def test_it_detects_entries_removed_from_the_end_even_with_the_head_rewound(db):
    _write(db)
    with db.engine.begin() as conn:
        last = conn.execute(text("SELECT digest FROM audit_entry WHERE seq = 3")).scalar_one()
        conn.execute(text("DELETE FROM audit_entry WHERE seq > 3"))
        conn.execute(text("UPDATE audit_head SET seq = 3, digest = :d"), {"d": last})
    result = _verify(db)
    assert any("removed from the end" in p for p in result.problems)


def test_erasing_content_under_retention_keeps_the_chain_valid(db):
    _write(db)
    with db.unit_of_work() as session:
        audit.erase_content(session, 2, "user:dpo", "retention period ended")
    result = _verify(db)
    assert result.ok, result.problems
    with db.unit_of_work() as session:
        assert session.get(AuditEntry, 2).content is None


def test_a_rolled_back_change_leaves_no_audit_entry(db):
    try:
        with db.unit_of_work() as session:
            audit.record(session, "user:alice", "thing.changed", "thing", 1)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert _verify(db).entries == 0
