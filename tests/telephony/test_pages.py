"""The call-back page for handlers and the dashboard's call panel, signed in through the form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .conftest import ev


def test_a_handler_sees_the_999_alert_and_the_queue_and_works_an_item(client, make_user, abandoned, form_login,
                                                                       make_contact, fixed_clock):
    abandoned("p999", "07700 900801", line="999")
    abandoned("p101", "07700 900802")
    name, _ = make_user("call_handler")
    assert form_login(client, name).status_code == 303
    page = client.get("/callbacks")
    assert page.status_code == 200
    assert "07700 900801" in page.text and "call back now" in page.text and 'href="/callbacks"' in page.text
    assert "07700 900802" in page.text and "hung up before an answer" in page.text
    assert client.post("/callbacks/next", follow_redirects=False).status_code == 303
    page = client.get("/callbacks")
    assert "Calling now" in page.text and "Record the outcome" in page.text
    item_id = page.text.split('class="card taken-item" data-id="')[1].split('"')[0]
    bad = client.post(f"/callbacks/{item_id}/outcome", data={"outcome": "reached", "contact_id": ""})
    assert bad.status_code == 422 and "contact_id" in bad.text
    cid = make_contact(fixed_clock.now)
    done = client.post(f"/callbacks/{item_id}/outcome", data={"outcome": "reached", "contact_id": str(cid)},
                       follow_redirects=False)
    assert done.status_code == 303
    page = client.get("/callbacks")
    assert "Nobody is waiting for a call-back" in page.text
    alert_id = page.text.split('action="/callbacks/alerts/')[1].split("/")[0]
    assert client.post(f"/callbacks/alerts/{alert_id}/done", data={"outcome": "no_answer"},
                       follow_redirects=False).status_code == 303
    assert "No abandoned 999 calls waiting" in client.get("/callbacks").text
    nothing = client.post("/callbacks/next", follow_redirects=False)
    assert nothing.status_code == 303 and nothing.headers["location"] == "/callbacks?none=1"
    assert "No call-back is due now" in client.get("/callbacks?none=1").text


def test_the_dashboard_shows_the_call_panel(client, make_user, feed, form_login, fixed_clock):
    t = datetime(2026, 3, 1, 19, 0, tzinfo=UTC)
    feed([ev("d1", "offered", t, "999"), ev("d1", "answered", t + timedelta(seconds=4), "999", handler="h")])
    name, _ = make_user("leader")
    form_login(client, name)
    page = client.get("/performance?from=2026-03-01&to=2026-03-01")
    assert page.status_code == 200 and 'id="section-calls"' in page.text
    row = page.text.split('<tr data-line="999">')[1].split("</tr>")[0]
    assert "100.0%" in row and "4.0 s" in row
