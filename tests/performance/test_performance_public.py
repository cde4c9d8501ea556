"""The public dashboard: open to anyone, force-level, small numbers withheld, nothing personal."""

from __future__ import annotations

from datetime import date

from bluelamp.performance import public


def test_anyone_sees_the_public_page_without_signing_in(client, world):
    res = client.get("/public/dashboard")
    assert res.status_code == 200 and "How we are doing" in res.text
    # The world's figures are all below 10 records: every one is withheld, and no name appears.
    assert "withheld" in res.text and "Ann Example" not in res.text and "Cat Example" not in res.text
    api = client.get("/api/v1/public/dashboard?from=2026-02-01&to=2026-02-28")
    body = api.json()
    assert api.status_code == 200 and body["calls_999"]["answered"] == 10
    assert body["calls_999"]["share_within_10s"] is None  # 6 of 10: both sides below 10
    assert client.get("/api/v1/public/dashboard?from=2026-03-05&to=2026-03-01").status_code == 422


def test_no_public_number_falls_below_the_threshold(db, world):
    with db.unit_of_work() as s:
        shown = public.figures(s, date(2026, 2, 1), date(2026, 2, 28), threshold=3)
    assert shown["calls_999"]["answered"] == 10 and shown["calls_999"]["share_within_10s"] == 0.6
    assert shown["calls_999"]["mean_answer_s"] == 15.6
    assert shown["calls_101"]["answered"] is None  # 2 calls
    assert shown["attendance"][0]["attended"] is None
    counts = [shown["calls_999"]["answered"], shown["calls_101"]["answered"], shown["crimes"]["recorded"],
              shown["crimes"]["closed"], *[a["attended"] for a in shown["attendance"]],
              *[o["crimes"] for o in shown["crimes"]["outcomes"]]]
    assert all(c is None or c >= 3 for c in counts)
    assert "ids" not in str(shown) and "area" not in shown
