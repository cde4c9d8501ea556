"""POST /api/v1/positions: the AVL feed's batches, item by item, and the board's view of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_a_batch_is_accepted_item_by_item_with_rejections_named(client, make_user, make_unit, db):
    avl = make_user("avl")[1]
    make_unit("A1")
    make_unit("A2")
    now = datetime.now(UTC)
    batch = [
        {"unit": "A1", "lat": 53.02, "lon": -2.17, "at": _iso(now - timedelta(seconds=30))},
        {"unit": "A1", "lat": 53.03, "lon": -2.18, "at": _iso(now - timedelta(seconds=10))},
        {"unit": "A2", "lat": 52.80, "lon": -2.11, "at": _iso(now - timedelta(seconds=5))},
        {"unit": "NOPE", "lat": 52.80, "lon": -2.11, "at": _iso(now)},
        {"unit": "A2", "lat": 52.80, "lon": -2.11, "at": _iso(now + timedelta(hours=1))},
        {"unit": "A2", "lat": 40.7, "lon": -74.0, "at": _iso(now)},
        {"unit": "A2", "lat": 52.80, "lon": -2.11, "at": "2026-03-01T21:14:05"},
        "not an object",
    ]
    res = client.post("/api/v1/positions", json=batch, headers=avl)
    assert res.status_code == 202, res.text
    body = res.json()
    assert body["accepted"] == 3
    assert [r["index"] for r in body["rejected"]] == [3, 4, 5, 6, 7]
    assert body["rejected"][0]["detail"].startswith("unit:")
    assert body["rejected"][1]["detail"].startswith("at:") and "future" in body["rejected"][1]["detail"]
    assert body["rejected"][2]["detail"].startswith("lat:")
    units = {u["call_sign"]: u for u in client.get("/api/v1/units", headers=make_user("dispatcher")[1]).json()}
    assert (units["A1"]["lat"], units["A1"]["lon"]) == (53.03, -2.18)  # the newest of the batch
    assert units["A1"]["position_stale"] is False
    from bluelamp.location.store import UnitPosition

    with db.unit_of_work() as session:
        from sqlalchemy import func, select

        assert session.execute(select(func.count()).select_from(UnitPosition)).scalar_one() == 3


def test_a_position_older_than_the_units_last_is_ignored(client, make_user, make_unit):
    avl = make_user("avl")[1]
    make_unit("B1")
    now = datetime.now(UTC)
    first = client.post("/api/v1/positions", json=[{"unit": "B1", "lat": 53.0, "lon": -2.2, "at": _iso(now)}],
                        headers=avl)
    assert first.status_code == 202 and first.json()["accepted"] == 1, first.text
    late = client.post("/api/v1/positions", headers=avl,
                       json=[{"unit": "B1", "lat": 52.0, "lon": -2.0, "at": _iso(now - timedelta(minutes=1))}])
    assert late.json() == {"accepted": 0, "ignored": 1, "rejected": []}
    unit = next(u for u in client.get("/api/v1/units", headers=make_user("dispatcher")[1]).json()
                if u["call_sign"] == "B1")
    assert (unit["lat"], unit["lon"]) == (53.0, -2.2)


def test_an_old_position_is_shown_stale(client, make_user, make_unit):
    avl = make_user("avl")[1]
    make_unit("C1")
    old = datetime.now(UTC) - timedelta(minutes=30)
    res = client.post("/api/v1/positions", json=[{"unit": "C1", "lat": 53.0, "lon": -2.2, "at": _iso(old)}],
                      headers=avl)
    assert res.status_code == 202 and res.json()["accepted"] == 1, res.text
    unit = next(u for u in client.get("/api/v1/units", headers=make_user("dispatcher")[1]).json()
                if u["call_sign"] == "C1")
    assert unit["position_stale"] is True and unit["position_age_s"] >= 30 * 60


def test_only_dispatchers_and_the_feed_may_post_positions(client, make_user, make_unit):
    make_unit("D1")
    item = [{"unit": "D1", "lat": 53.0, "lon": -2.2, "at": _iso(datetime.now(UTC))}]
    assert client.post("/api/v1/positions", json=item, headers=make_user("call_handler")[1]).status_code == 403
    assert client.post("/api/v1/positions", json=item, headers=make_user("dispatcher")[1]).status_code == 202
    assert client.post("/api/v1/positions", json={"unit": "D1"}, headers=make_user("avl")[1]).status_code == 422
