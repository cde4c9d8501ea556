"""Live measures from the records: values worked out by hand, records behind every figure, bad periods."""

from __future__ import annotations

from datetime import date

import pytest

from bluelamp.performance import service
from bluelamp.performance.model import CATALOGUE, PeriodError

from .conftest import PERIOD

EXPECTED = {
    "call_999_within_10s": (0.6, 6, 10), "call_999_mean_answer_s": (15.6, 156, 10),
    "call_101_mean_wait_s": (150.0, 300, 2), "chat_mean_wait_s": (30.0, 30, 1), "chat_abandoned": (0.5, 1, 2),
    "thrive_recorded": (0.9286, 13, 14), "repeat_victim_checked": (0.2143, 3, 14), "household_checked": (0.1429, 2, 14),
    "vulnerability_identified": (0.0714, 1, 14), "grade_1": (0.2308, 3, 13), "grade_4": (0.1538, 2, 13),
    "downgraded": (0.1429, 2, 14), "downgrade_approved": (0.5, 1, 2), "routed_to_partner": (0.0714, 1, 14),
    "attendance_1": (0.5, 1, 2), "incident_downgraded": (0.2, 1, 5), "crime_recorded_24h": (0.5, 1, 2), "crime_with_plan": (0.5, 1, 2),
    "plan_quality": (80.0, 80, 1), "reviews_on_time": (0.3333, 1, 3), "needs_assessed": (0.5, 1, 2),
    "vps_offered": (0.5, 1, 2), "right6_on_time": (0.5, 1, 2), "outcome_no_suspect": (0.3333, 1, 3),
    "outcome_charged": (0.3333, 1, 3), "bureau_tasks_done": (0.5, 1, 2), "bureau_hours_saved": (1.5, 90, 1),
    # Pinned too (issue 13: every measure). 101 abandonment has no data by design (abandoned calls are not
    # contacts: the Calls panel counts them); one decided contact is graded 3 (a 101 call; the online one
    # awaiting approval at grade 3 is not decided yet), and the mix 3 + 7 + 1 + 2 adds up to the 13 decided.
    "call_101_abandoned": (None, None, None), "grade_2": (0.5385, 7, 13), "grade_3": (0.0769, 1, 13),
    "attendance_2": (0.5, 1, 2), "attendance_3": (1.0, 1, 1), "outcome_evidential": (0.3333, 1, 3),
}


def _board(db, **kw):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        return service.dashboard(session, *PERIOD, **kw)


def test_every_measure_is_computed_from_the_records(db, world):
    board = _board(db)
    got = {m["key"]: m for m in board["measures"]}
    assert [m["key"] for m in board["measures"]] == [s.key for s in CATALOGUE]
    assert set(EXPECTED) == {s.key for s in CATALOGUE}  # every measure is pinned
    for key, (value, num, den) in EXPECTED.items():
        assert (got[key]["value"], got[key]["numerator"], got[key]["denominator"]) == (value, num, den), key
    assert got["call_999_within_10s"]["rag"] == "red" and got["call_999_within_10s"]["target"] == 0.9
    assert [r["value"] for r in got["call_999_within_10s"]["references"]] == [0.9, 0.71]
    # The previous period had one 999 call answered in 5 s.
    assert got["call_999_within_10s"]["previous"] == 1.0 and got["call_999_within_10s"]["trend"] == "worse"
    assert got["call_101_abandoned"]["value"] is None and got["call_101_abandoned"]["no_data"]
    assert all(m["small_number"] for m in board["measures"] if m["denominator"])
    assert board["previous"] == {"from": "2026-01-04", "to": "2026-01-31"}


def test_the_small_number_floor_is_configurable(db, world):
    got = {m["key"]: m for m in _board(db, min_records=5)["measures"]}
    assert not got["call_999_within_10s"]["small_number"] and got["chat_abandoned"]["small_number"]


def test_an_area_or_a_channel_narrows_every_figure(db, world):
    north = {m["key"]: m for m in _board(db, area="North")["measures"]}
    assert north["call_999_within_10s"]["denominator"] == 5 + 0 and north["call_999_within_10s"]["value"] == 1.0
    assert north["chat_abandoned"]["value"] is None  # chats carry no area
    assert north["crime_recorded_24h"]["denominator"] == 1
    # Incidents too: North's grade 2 came in 40 min (South's late one is left out), and its grade 3.
    assert [(north[k]["value"], north[k]["denominator"]) for k in ("attendance_2", "attendance_3")] == [(1.0, 1)] * 2
    online = {m["key"]: m for m in _board(db, channel="online")["measures"]}
    assert online["call_999_within_10s"]["value"] is None and online["downgraded"]["value"] == 1.0


def test_an_empty_period_is_no_data_never_zero(db, world):
    with db.unit_of_work() as session:
        board = service.dashboard(session, date(2025, 6, 1), date(2025, 6, 30))
    assert all(m["value"] is None for m in board["measures"])
    assert all(m["rag"] is None for m in board["measures"])


def test_the_records_behind_each_figure_add_up_to_it(db, world):
    board = _board(db)
    with db.unit_of_work() as session:
        for m in board["measures"]:
            if m["denominator"] is None:
                continue
            every = service.records(session, m["key"], *PERIOD, limit=1000)
            assert every["total"] == m["denominator"] == len(every["ids"]), m["key"]
            if m["unit"] == "share":
                met = service.records(session, m["key"], *PERIOD, met=True, limit=1000)
                missed = service.records(session, m["key"], *PERIOD, met=False, limit=1000)
                assert met["total"] == m["numerator"], m["key"]
                assert set(met["ids"]) | set(missed["ids"]) == set(every["ids"]), m["key"]
                assert not set(met["ids"]) & set(missed["ids"]), m["key"]


def test_the_records_of_999_calls_not_answered_in_10s_are_those_calls(db, world):
    with db.unit_of_work() as session:
        out = service.records(session, "call_999_within_10s", *PERIOD, met=False)
    assert sorted(out["ids"]) == sorted(world["c999"][6:])
    assert {r["answer_s"] for r in out["rows"]} == {12.0, 15.0, 30.0, 60.0}
    assert out["rows"][0]["link"].startswith("/contacts/")


def test_bad_periods_and_unknown_measures_are_refused(db):
    with db.unit_of_work() as session, pytest.raises(PeriodError) as err:
        service.dashboard(session, date(2026, 3, 5), date(2026, 3, 1))
    assert err.value.field == "from"
    with db.unit_of_work() as session, pytest.raises(PeriodError) as err:
        service.records(session, "nonsense", *PERIOD)
    assert err.value.field == "measure"


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_the_api_gives_the_dashboard_the_records_and_clear_422s(client, make_user, world):
    _, h = make_user("leader")
    res = client.get("/api/v1/performance/dashboard?from=2026-02-01&to=2026-02-28", headers=h)
    assert res.status_code == 200 and res.json()["measures"][0]["value"] == 0.6
    rec = client.get("/api/v1/performance/records?measure=call_999_within_10s&from=2026-02-01&to=2026-02-28"
                     "&met=false", headers=h)
    assert rec.status_code == 200 and rec.json()["total"] == 4 and len(rec.json()["ids"]) == 4
    for query, field in (("from=2026-03-05&to=2026-03-01", "from"), ("from=2026-02-30", "from"),
                         ("from=2020-01-01&to=2026-01-01", "to"), ("channel=fax", "channel")):
        bad = client.get(f"/api/v1/performance/dashboard?{query}", headers=h)
        assert bad.status_code == 422 and field in bad.json()["detail"].split(":")[0], query
    bad = client.get("/api/v1/performance/records?measure=nope", headers=h)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("measure")
    _, handler = make_user("call_handler")
    assert client.get("/api/v1/performance/dashboard", headers=handler).status_code == 403


def test_the_contract_measures_keep_their_json_and_add_every_measure(client, make_user, world):
    _, h = make_user("analyst")
    res = client.get("/api/v1/measures?from=2026-02-01&to=2026-02-28", headers=h)
    assert res.status_code == 200
    body = res.json()
    assert {"from", "to", "agency", "attendance"} <= set(body)
    assert body["attendance"]["1"]["attended"] == 2 and body["attendance"]["1"]["within_target"] == 1
    assert body["attendance"]["1"]["share_within_target"] == 0.5
    by = {m["key"]: m for m in body["measures"]}
    assert by["attendance_1"]["value"] == body["attendance"]["1"]["share_within_target"]
    from typer.testing import CliRunner

    from bluelamp.cli import app

    out = CliRunner().invoke(app, ["report", "measures", "--from", "2026-02-01", "--to", "2026-02-28"])
    assert out.exit_code == 0, out.stderr
    import json

    cli = json.loads(out.stdout)
    assert cli["attendance"] == body["attendance"]
    assert {m["key"]: m["value"] for m in cli["measures"]} == {m["key"]: m["value"] for m in body["measures"]}


def test_settled_days_come_from_the_rollup_and_a_refresh_picks_up_a_late_change(db, world, client, make_user):
    from bluelamp.contact.store import Contact

    before = {m["key"]: m for m in _board(db)["measures"]}
    with db.unit_of_work() as session:
        days = session.execute(__import__("sqlalchemy").text("SELECT count(*) FROM perf_rollup_day")).scalar()
        assert days >= 27  # February to the 27th is settled (the clock says 1 March)
        pending = session.get(Contact, world["pending"])
        pending.decision = {**pending.decision, "approved_by": "user:late"}
    stale = {m["key"]: m for m in _board(db)["measures"]}
    assert stale["downgrade_approved"]["numerator"] == before["downgrade_approved"]["numerator"] == 1
    _, h = make_user("leader")
    res = client.post("/api/v1/performance/rollup?from=2026-02-01&to=2026-02-28", headers=h)
    assert res.status_code == 200 and res.json()["days_recounted"] == 27
    fresh = {m["key"]: m for m in _board(db)["measures"]}
    assert fresh["downgrade_approved"]["numerator"] == 2 and fresh["downgrade_approved"]["value"] == 1.0


def _decided_grades(db):  # type: ignore[no-untyped-def]
    """The grade of each decided contact in February, read back as rows and counted here, in Python."""
    from collections import Counter

    from sqlalchemy import select

    from bluelamp.contact.store import Contact
    from bluelamp.performance.service import zone

    with db.unit_of_work() as session:
        rows = session.execute(select(Contact.received_at, Contact.status, Contact.grade)).all()
    return Counter(g for at, status, g in rows
                   if status == "decided" and PERIOD[0] <= at.astimezone(zone()).date() <= PERIOD[1])


def test_the_grade_mix_is_the_share_of_decided_contacts_at_each_grade(db, world, client, make_user):
    """Grade 3 has a real share; a contact counts once decided, not while it waits for approval."""
    from bluelamp.contact.store import Contact

    counts = _decided_grades(db)
    assert counts[3] == 1 and sum(counts.values()) == 13  # the fixture's 101 appointment; not the pending one
    got = {m["key"]: m for m in _board(db)["measures"]}
    for g in (1, 2, 3, 4):
        share = round(counts[g] / sum(counts.values()), 4)
        assert (got[f"grade_{g}"]["numerator"], got[f"grade_{g}"]["value"]) == (counts[g], share), g
    with db.unit_of_work() as session:  # the supervisor approves the online downgrade to grade 3
        pending = session.get(Contact, world["pending"])
        pending.status, pending.decision = "decided", {**pending.decision, "approved_by": "user:sup"}
    _, h = make_user("leader")
    assert client.post("/api/v1/performance/rollup?from=2026-02-01&to=2026-02-28", headers=h).status_code == 200
    after = _decided_grades(db)
    assert after[3] == 2 and sum(after.values()) == 14
    got = {m["key"]: m for m in _board(db)["measures"]}
    assert (got["grade_3"]["numerator"], got["grade_3"]["denominator"], got["grade_3"]["value"]) == \
        (2, 14, round(2 / 14, 4))
