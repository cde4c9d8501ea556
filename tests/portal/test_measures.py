"""Measures of the victims' own page: updates read online, and the change in 101 update requests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bluelamp.contact.store import Contact
from bluelamp.performance.measures import measures
from bluelamp.victims import service as victims

from .conftest import sign_in


def _update_request(db, at):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        session.add(Contact(channel="101", agency="police", source="test", received_at=at, answered_at=at,
                            narrative="any news on my case?", urban=True, answers={}, proposal={}, grade=4,
                            route="update_request", flags=[], policy_version="2026.1", household=[],
                            status="decided", recorded_by="user:test"))


def test_updates_read_online_and_the_change_in_101_update_requests(client, db, make_case, who, clock0):
    case = make_case()
    with db.unit_of_work() as session:
        victims.record_update(session, case.victim_id, who("victim_care"), method="phone")
        victims.record_update(session, case.victim_id, who("victim_care"), method="letter",
                              at=clock0.now - timedelta(minutes=30))
    sign_in(client, case.reference, case.code)
    client.get("/my-case")
    sign_in(client, case.reference, "AAAA-BBBB-CCCC")
    # 101 update requests: 3 in the week before (23 Feb - 1 Mar), 1 in the week measured (2 - 8 Mar)
    for day in (24, 25, 26):
        _update_request(db, datetime(2026, 2, day, 12, tzinfo=UTC))
    _update_request(db, datetime(2026, 3, 2, 8, tzinfo=UTC))
    with db.unit_of_work() as session:
        block = measures(session, date(2026, 3, 2), date(2026, 3, 8))["victims_online"]
    assert block["updates_recorded"] == 2 and block["updates_read_online"] == 2 and block["share_read_online"] == 1.0
    assert block["sign_ins"] == 1 and block["victims_signed_in"] == 1 and block["sign_ins_refused"] == 1
    assert block["update_requests_101"] == {"period": 1, "previous_period": 3, "change": -2, "change_share": -0.6667}


def test_with_no_data_the_shares_are_null_not_zero(db, clock0):
    with db.unit_of_work() as session:
        block = measures(session, date(2026, 3, 2), date(2026, 3, 8))["victims_online"]
    assert block["share_read_online"] is None and block["update_requests_101"]["change_share"] is None


def test_the_api_carries_the_block_and_keeps_the_contract_shape(client, make_user, clock0):
    _, headers = make_user("leader")
    body = client.get("/api/v1/measures?from=2026-03-01&to=2026-03-02", headers=headers).json()
    assert {"attendance", "calls", "victims_online"} <= set(body)
