"""No input gives a 500: schemathesis generates requests from the OpenAPI for every operation and
sends them as admin (a short run here; BENCHMARKS.md gives the command for the long one)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

EXAMPLES = 3  # per operation: a short run (every operation, a few requests each); the long run is in BENCHMARKS.md


@pytest.fixture
def api_schema(app):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def admin_headers(make_user):  # type: ignore[no-untyped-def]
    return make_user("admin")[1]


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case, admin_headers):  # type: ignore[no-untyped-def]
    response = case.call(headers=admin_headers)
    case.validate_response(response, checks=[not_a_server_error])
