"""The audit anchor under concurrent commits: one writer a process at a time, the others hand it their
entry (audit/service.py), and still the anchor ends on the newest committed entry and the chain
verifies. Also: the anchor check reads the anchored entry in the append statement, and a rewritten
anchored entry is still caught when the anchor moves on."""

from __future__ import annotations

import threading

from sqlalchemy import text

from bluelamp.audit import sealer
from bluelamp.audit import service as audit
from bluelamp.audit.store import AuditHead


def _commit_entries(db, worker: int, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        with db.unit_of_work() as session:
            audit.record(session, f"user:w{worker}", "thing.changed", "thing", f"{worker}-{i}", after={"i": i})


def test_the_anchor_ends_on_the_newest_entry_after_concurrent_commits(db):
    threads = [threading.Thread(target=_commit_entries, args=(db, w, 15)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Entries committed while a round ran are chained by the process's sealer thread just after.
    assert sealer.sealer_for(db.engine).wait_idle()
    with db.unit_of_work() as session:
        head = session.get(AuditHead, 1)
        result = audit.verify(session)
    assert head is not None and head.seq == 90
    anchored = audit.anchor_path_for(str(db.engine.url)).read_text().split()
    assert int(anchored[0]) == 90 and anchored[1] == head.digest
    assert result.ok, result.problems


def test_a_rewritten_anchored_entry_stops_the_anchor_and_raises_the_alarm(db):
    _commit_entries(db, 0, 3)
    path = audit.anchor_path_for(str(db.engine.url))
    assert path.read_text().split()[0] == "3"
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET digest = :d WHERE seq = 3"), {"d": "f" * 64})
    _commit_entries(db, 1, 1)
    assert path.read_text().split()[0] == "3"  # the anchor did not move past the rewritten entry
    assert path.with_suffix(".alarm").exists()
