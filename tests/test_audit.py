"""The audit trail is append-only and any edit, deletion or truncation is detected."""

from __future__ import annotations

import pytest
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
    with pytest.raises(RuntimeError, match="boom"), db.unit_of_work() as session:
        audit.record(session, "user:alice", "thing.changed", "thing", 1)
        raise RuntimeError("boom")
    assert _verify(db).entries == 0


# --- issue 12 item 7: a keyed chain, an anchor that checks before it moves, NULL content ---------------


def _forge_from(db, seq: int, key: bytes | None) -> None:
    """An attacker with write access to the tables edits entry `seq` and recomputes the chain after it."""
    from sqlalchemy import select

    from bluelamp.audit.model import entry_digest
    from bluelamp.audit.store import AuditHead

    with db.unit_of_work() as session:
        prev = None
        for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
            if e.seq == seq:
                e.actor = "user:mallory"
            if e.seq >= seq:
                e.prev_digest = prev
                e.digest = entry_digest(e.seq, prev, e.at, e.actor, e.action, e.entity, e.entity_id,
                                        e.content_digest, key)
            prev = e.digest
        session.get(AuditHead, 1).digest = prev


def test_a_recomputed_chain_without_the_key_is_detected(db):
    _write(db)
    _forge_from(db, 2, None)
    problems = _verify(db).problems
    assert any("entry 2" in p and "digest" in p for p in problems)


def test_the_forged_chain_sequence_is_caught_even_with_the_key(db):
    """Issue 12 row 4: edit, recompute the chain, then make one or two ordinary changes to move the
    anchor on. Even with the key, the anchor refuses to move past a rewritten anchored entry."""
    from bluelamp.audit.service import _key_cached, anchor_path_for

    _write(db)
    _forge_from(db, 2, _key_cached())
    _write(db, 2)  # ordinary changes after the rewrite
    result = _verify(db)
    assert not result.ok
    assert any("alarm" in p or "anchored digest" in p for p in result.problems), result.problems
    anchor = anchor_path_for(str(db.engine.url)).read_text().split()
    assert anchor[0] == "5"  # the anchor stayed on the last genuine entry


def test_content_set_to_null_is_tampering_unless_an_erasure_names_it(db):
    _write(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET content = NULL WHERE seq = 3"))
    assert any("entry 3: content is missing" in p for p in _verify(db).problems)
    with db.unit_of_work() as session:
        audit.erase_content(session, 4, "user:dpo", "retention rule R1")
    problems = _verify(db).problems
    assert any("entry 3" in p for p in problems) and not any("entry 4" in p for p in problems)


def test_moving_the_keyed_from_mark_is_detected(db):
    _write(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_head SET keyed_from = 100"))
    assert any("keyed from" in p for p in _verify(db).problems)
