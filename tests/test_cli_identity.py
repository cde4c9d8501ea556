"""`bluelamp user add`, `bluelamp token create`, `bluelamp audit verify` as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run(args, stdin="", env=None):
    return subprocess.run([sys.executable, "-m", "bluelamp", *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


@pytest.mark.slow  # runs the CLI in subprocesses: seconds each (kept out of the fast subset)
def test_user_add_then_token_then_the_api_accepts_it(db, client):
    out = run(["user", "add", "alice", "--role", "call_handler", "--role", "supervisor"], "a long password\n")
    assert out.returncode == 0, out.stderr
    tok = run(["token", "create", "alice"])
    assert tok.returncode == 0, tok.stderr
    token = tok.stdout.strip().splitlines()[-1]
    res = client.post("/api/v1/triage", json={"channel": "999", "narrative": "help"},
                      headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200


@pytest.mark.slow  # runs the CLI in subprocesses: seconds each (kept out of the fast subset)
def test_bad_input_is_one_clear_line_and_a_non_zero_exit(db):
    cases = [
        (["user", "add", "bob", "--role", "wizard"], "a long password\n", "unknown role"),
        (["user", "add", "bob", "--role", "analyst"], "short\n", "password"),
        (["token", "create", "nobody"], "", "no user"),
    ]
    for args, stdin, words in cases:
        out = run(args, stdin)
        assert out.returncode != 0
        assert words in out.stderr
        assert "Traceback" not in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.slow  # runs the CLI in subprocesses: seconds each (kept out of the fast subset)
def test_audit_verify_passes_then_fails_after_tampering(db):
    assert run(["user", "add", "carol", "--role", "auditor"], "a long password\n").returncode == 0
    ok = run(["audit", "verify"])
    assert ok.returncode == 0, ok.stderr
    from sqlalchemy import text

    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET action = 'nothing' WHERE seq = 1"))
    bad = run(["audit", "verify"])
    assert bad.returncode == 1
    assert "not intact" in bad.stderr


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_production_refuses_to_start_without_a_secret_key(db):
    out = run(["serve", "--port", "1"], env={"BLUELAMP_ENV": "production", "BLUELAMP_SECRET_KEY": ""})
    assert out.returncode != 0
    assert "BLUELAMP_SECRET_KEY" in out.stderr


@pytest.mark.slow  # runs the CLI in subprocesses: seconds each (kept out of the fast subset)
def test_user_add_with_a_team_and_moving_teams_is_audited(db):
    from sqlalchemy import select

    from bluelamp.audit.store import AuditEntry
    from bluelamp.identity.store import User

    out = run(["user", "add", "dana", "--role", "investigator", "--team", "CID 2"], "a long password\n")
    assert out.returncode == 0 and "in team CID 2" in out.stdout, out.stderr
    moved = run(["user", "team", "dana", "--team", "CID 3"])
    assert moved.returncode == 0, moved.stderr
    bad = run(["user", "team", "dana", "--team", "<script>"])
    assert bad.returncode != 0 and "team must be" in bad.stderr
    with db.unit_of_work() as s:
        assert s.execute(select(User.team).where(User.username == "dana")).scalar_one() == "CID 3"
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "user.team_changed")).scalar_one()
        assert entry.actor == "cli"
