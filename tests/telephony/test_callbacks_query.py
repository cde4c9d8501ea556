"""`GET /api/v1/callbacks` with odd query parameters answers 4xx naming the parameter, never a 5xx
(a schemathesis run reported a server error here)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("query", [
    "status=", "status=OPEN", "status=open%00", "status=%F0%9F%92%A5", "status=open&status=closed",
    "limit=0", "limit=-1", "limit=1e3", "limit=99999999999999999999", "limit=", "limit=%00",
    "status[]=open", "limit=1&limit=x", "unknown=1", "status=" + "o" * 5000, "status=%FF", "limit=%FF", "%",
    "status=open%", "%00=1", "reason=%00", "reason=%FF%FE", "reason=" + "r" * 5000, "status=open&reason=%00x",
])
@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_odd_query_parameters_are_never_a_server_error(client, make_user, query):
    _, headers = make_user("call_handler")
    res = client.get(f"/api/v1/callbacks?{query}", headers=headers)
    assert res.status_code < 500, (query, res.status_code, res.text[:300])
    if res.status_code >= 400:
        assert "detail" in res.json()


def test_a_control_character_in_the_stated_reason_is_a_422_naming_it_not_a_503(client, make_user):
    # On PostgreSQL a NUL cannot be stored, and the access log refused the read with a 503 (found by
    # schemathesis on GET /api/v1/callbacks; every logged read route had it).
    _, headers = make_user("call_handler")
    res = client.get("/api/v1/callbacks?reason=a%00b", headers=headers)
    assert res.status_code == 422 and res.json()["detail"].startswith("reason:")
