"""A dashboard read never writes: days without a daily summary are counted live (the same figures)
and the page says the summaries are being built; the job runner builds them, a few days per run."""

from __future__ import annotations

from sqlalchemy import func, select

from bluelamp import clock
from bluelamp.jobs.runner import enqueue, run_due
from bluelamp.performance.store import RollupDay

FEB = "from=2026-02-01&to=2026-02-28"


def _days(db) -> int:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return int(s.execute(select(func.count()).select_from(RollupDay)).scalar_one())


def test_the_first_dashboard_read_writes_nothing_and_the_job_builds_the_summaries(client, db, make_user, world):
    _, h = make_user("leader")
    first = client.get(f"/api/v1/performance/dashboard?{FEB}", headers=h)
    assert first.status_code == 200
    body = first.json()
    # On 1 March the days up to 27 February are settled (two days are always counted live): 27 days of
    # February and the 28 of the period before it have no summary yet.
    assert body["summaries_pending_days"] == 27 + 28
    assert _days(db) == 0  # the GET wrote nothing
    page = client.get(f"/performance?{FEB}", headers=h)
    assert page.status_code == 200 and 'id="summaries-pending"' in page.text

    with db.unit_of_work() as s:
        enqueue(s, "performance.rollup.fill", {"days": 400}, clock.now())
    while run_due(db):
        pass
    assert _days(db) > 56  # every settled day of the last 400 is summarised, in runs of a few days
    second = client.get(f"/api/v1/performance/dashboard?{FEB}", headers=h).json()
    assert second["summaries_pending_days"] == 0
    assert [m["value"] for m in second["measures"]] == [m["value"] for m in body["measures"]]
    assert [m["denominator"] for m in second["measures"]] == [m["denominator"] for m in body["measures"]]
