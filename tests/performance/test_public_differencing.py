"""Issue 12 item 11: the public dashboard's small-number suppression cannot be undone by subtracting
two overlapping periods. The dashboard publishes fixed periods only (whole, completed calendar
months), so any two periods it answers are the same month or share no day."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from bluelamp.performance import public
from bluelamp.performance.model import PeriodError

TODAY = date(2026, 3, 1)  # the fixed clock: 1 March 2026, 21:00 UTC


def test_two_overlapping_periods_are_never_both_answered(client, world):
    """The attack: 1-28 Feb minus 2-28 Feb would be 1 Feb alone, however few calls it had."""
    whole = client.get("/api/v1/public/dashboard?from=2026-02-01&to=2026-02-28")
    assert whole.status_code == 200 and whole.json()["calls_999"]["answered"] == 10
    for query in ("from=2026-02-02&to=2026-02-28", "from=2026-02-01&to=2026-02-27",
                  "from=2026-01-31&to=2026-02-28", "from=2026-02-01&to=2026-03-31"):
        res = client.get(f"/api/v1/public/dashboard?{query}")
        assert res.status_code == 422, (query, res.text)
        assert res.json()["detail"].startswith("from: the public dashboard publishes whole calendar months only")


def test_the_month_still_running_is_not_published(client, world):
    """Month-to-date today minus month-to-date yesterday would be one day."""
    res = client.get("/api/v1/public/dashboard?from=2026-03-01&to=2026-03-31")
    assert res.status_code == 422 and res.json()["detail"].startswith("to:"), res.text
    assert client.get("/api/v1/public/dashboard?to=2026-03-01").status_code == 422


def test_with_no_period_the_last_completed_month_is_shown(client, world):
    body = client.get("/api/v1/public/dashboard").json()
    assert (body["from"], body["to"]) == ("2026-02-01", "2026-02-28")
    assert body["calls_999"]["answered"] == 10
    one = client.get("/api/v1/public/dashboard?to=2026-02-14").json()  # one date: the month holding it
    assert (one["from"], one["to"]) == ("2026-02-01", "2026-02-28")


def test_any_two_answered_periods_are_equal_or_disjoint():
    """Over many random requests, every period answered is a whole month: no overlap to subtract."""
    rnd = random.Random(12)
    answered: set[tuple[date, date]] = set()
    for _ in range(2000):
        a = date(2024, 1, 1) + timedelta(days=rnd.randrange(800))
        b = a + timedelta(days=rnd.randrange(0, 70))
        ask = rnd.choice([(a, b), (a, None), (None, b), (None, None)])
        try:
            answered.add(public.fixed_period(*ask, TODAY))
        except PeriodError:
            continue
    assert len(answered) > 10
    for p in answered:
        assert p[0].day == 1 and (p[1] + timedelta(days=1)).day == 1 and p[1] < TODAY
        for q in answered:
            assert p == q or p[1] < q[0] or q[1] < p[0], (p, q)


@pytest.mark.parametrize("d_from,d_to", [(date(2026, 2, 1), date(2026, 2, 28)), (date(2024, 2, 1), date(2024, 2, 29))])
def test_a_whole_month_is_accepted_as_asked(d_from, d_to):
    assert public.fixed_period(d_from, d_to, TODAY) == (d_from, d_to)
