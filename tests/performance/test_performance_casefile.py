"""The case-file audit: a reproducible sample by offence group, checklists pre-filled, reviewed, rolled up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bluelamp.performance import casefile


@pytest.fixture
def crimes(db, world):  # type: ignore[no-untyped-def]
    from bluelamp.crime.store import Crime

    start = datetime(2026, 2, 3, tzinfo=UTC)
    with db.unit_of_work() as s:
        for k in range(30):
            group = ("theft offences", "violence against the person", "robbery")[k % 3]
            s.add(Crime(source="test", offence="x", offence_group=group, summary="", reported_at=start + timedelta(hours=k),
                        record_due_at=start + timedelta(hours=k + 24), recorded_at=start + timedelta(hours=k + 1),
                        oic="pc001", risk="standard", status="open", plan_score=70 if k % 2 else None,
                        policy_version="2026.1", created_at=start))
    return world


def test_the_same_seed_draws_the_same_sample_and_another_seed_another(db, crimes):
    with db.unit_of_work() as s:
        a = casefile.draw(s, date(2026, 2, 1), date(2026, 2, 28), 4, seed=7)
        b = casefile.draw(s, date(2026, 2, 1), date(2026, 2, 28), 4, seed=7)
        c = casefile.draw(s, date(2026, 2, 1), date(2026, 2, 28), 4, seed=8)
    assert a == b and a != c
    assert all(len(ids) == 4 for g, ids in a.items() if g != "criminal damage and arson")
    assert len(a["criminal damage and arson"]) == 2  # fewer crimes than asked: all of them


def test_a_reviewer_confirms_or_corrects_and_the_rollup_counts_both(client, make_user, crimes, db):
    _, h = make_user("supervisor")
    res = client.post("/api/v1/performance/case-audits", headers=h,
                      json={"from": "2026-02-01", "to": "2026-02-28", "per_group": 3, "seed": 42})
    assert res.status_code == 201, res.text
    roll = res.json()
    assert roll["crimes"] == 3 * 3 + 2 and roll["items"] == roll["crimes"] * len(casefile.CHECKS)
    assert [s["stage"] for s in roll["stages"]] == list(casefile.STAGES)
    audit = client.get(f"/api/v1/performance/case-audits/{roll['id']}", headers=h).json()
    c1 = crimes["crimes"][0]
    mine = {i["check"]: i for i in audit["checklist"] if i["crime_id"] == c1}
    # Seed 42 draws the world's crime in its group, so its facts are known and each check is pinned.
    assert mine, "seed 42 no longer draws the world's crime: pick the seed that does"
    assert mine["recorded_24h"]["prefilled"] == "yes" and mine["thrive_recorded"]["prefilled"] == "yes"
    assert mine["victim_updated"]["prefilled"] == "no" and mine["reviews_on_time"]["prefilled"] == "no"
    item = audit["checklist"][0]
    url = f"/api/v1/performance/case-audits/{roll['id']}/items/{item['id']}"
    assert client.post(url, headers=h, json={"finding": item["prefilled"]}).status_code == 200
    other = "no" if item["prefilled"] != "no" else "yes"
    second = audit["checklist"][1]
    url2 = f"/api/v1/performance/case-audits/{roll['id']}/items/{second['id']}"
    refused = client.post(url2, headers=h, json={"finding": other})
    assert refused.status_code == 422 and refused.json()["detail"].startswith("note")
    assert client.post(url2, headers=h, json={"finding": other, "note": "the file shows otherwise"}).status_code == 200
    after = client.get(f"/api/v1/performance/case-audits/{roll['id']}", headers=h).json()
    assert after["reviewed"] == 2 and after["corrected"] == (1 if second["prefilled"] != other else 0)
    again = client.post("/api/v1/performance/case-audits", headers=h,
                        json={"from": "2026-02-01", "to": "2026-02-28", "per_group": 3, "seed": 42}).json()
    first_ids = {i["crime_id"] for i in audit["checklist"]}
    second_ids = {i["crime_id"] for i in client.get(f"/api/v1/performance/case-audits/{again['id']}",
                                                     headers=h).json()["checklist"]}
    assert first_ids == second_ids
    empty = client.post("/api/v1/performance/case-audits", headers=h, json={"from": "2025-01-01", "to": "2025-01-31"})
    assert empty.status_code == 422
    page = client.get(f"/performance/case-audits/{roll['id']}", headers=h, follow_redirects=False)
    assert page.status_code == 200, page.status_code  # a redirect (to sign in) is not the page
    assert f"CR{second['crime_id']}" in page.text or str(second["crime_id"]) in page.text
