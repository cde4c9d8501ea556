"""When the database is away, the API says so with a 503 and writes nothing half-way."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from bluelamp.contact.store import Contact
from bluelamp.db.engine import Database, DatabaseUnavailable
from bluelamp.web.app import create_app


def test_the_api_answers_503_when_the_database_is_unavailable(db, make_user, tmp_path):
    _, headers = make_user("call_handler")
    app = create_app(db)
    # Point the running app at a database that cannot be opened: a path inside a missing folder.
    app.state.db = Database(f"sqlite:///{tmp_path}/missing/dir/x.sqlite3")
    with TestClient(app) as client:
        res = client.post("/api/v1/contacts", headers=headers, json={"channel": "999", "narrative": "help"})
        assert res.status_code == 503
        assert "database" in res.json()["detail"]
        assert client.get("/healthz").status_code == 503  # the database it points at cannot be opened
    with db.unit_of_work() as session:
        assert session.execute(select(func.count()).select_from(Contact)).scalar_one() == 0


@pytest.mark.parametrize("write", [True, False])
def test_a_unit_of_work_on_a_database_that_does_not_answer_raises_database_unavailable(tmp_path, write):
    away = Database(f"sqlite:///{tmp_path}/missing/dir/x.sqlite3")
    with pytest.raises(DatabaseUnavailable, match="did not answer"), away.unit_of_work(write=write) as session:
        session.execute(text("SELECT 1"))
    away.dispose()


def test_a_failure_mid_request_rolls_everything_back(db, principal, monkeypatch):
    from bluelamp.contact import service
    from bluelamp.contact.model import ContactIn
    from bluelamp.response import service as response

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # after the contact's rows are written (one statement on PostgreSQL, contact/write.py), before the commit
    monkeypatch.setattr(response, "incident_opened", broken)
    handler = principal("call_handler")
    data = ContactIn.model_validate({"channel": "999", "narrative": "he has a knife and is attacking me now",
                                     "caller": {"name": "X Y", "phone": "07700900000"}})
    with pytest.raises(RuntimeError, match="disk full"), db.unit_of_work() as session:
        service.record_contact(session, data, handler)
    from bluelamp.audit.store import AuditEntry
    from bluelamp.contact.store import Person

    with db.unit_of_work() as session:
        assert session.execute(select(func.count()).select_from(Contact)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(Person)).scalar_one() == 0
        assert session.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "contact.recorded")
        ).scalar_one() == 0
