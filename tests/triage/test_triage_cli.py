"""`bluelamp triage`: one assessment line per input line, errors in place, exit status 1 on any error."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from bluelamp.triage.cli import run

GOOD_1 = {"channel": "999", "narrative": "hes got a knife", "received_at": "2026-03-01T21:14:05Z"}
GOOD_2 = {"channel": "101", "narrative": "my bike was stolen last week", "received_at": "2026-03-01T21:14:05Z"}
LINES = [
    json.dumps(GOOD_1),
    "{not json",
    json.dumps({"channel": "999"}),
    json.dumps({"channel": "101", "narrative": "x", "answers": {"dog": True}}),
    json.dumps(GOOD_2),
]


def test_run_keeps_order_and_puts_errors_in_place() -> None:
    out = io.StringIO()
    errors = run("\n".join(LINES) + "\n", out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert errors == 3 and len(rows) == 5
    assert rows[0]["grade"] == 1 and rows[0]["attend_by"] == "2026-03-01T21:29:05Z"
    assert set(rows[1]) == {"error"} and rows[1]["error"].startswith("json:")
    assert rows[2] == {"error": "narrative: Field required"}
    assert rows[3]["error"].startswith("answers.dog:")
    assert rows[4]["route"] == "telephone_resolution"


def test_run_reads_one_pretty_printed_object() -> None:
    out = io.StringIO()
    assert run(json.dumps(GOOD_1, indent=2), out) == 0
    assert len(out.getvalue().splitlines()) == 1


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_the_command_end_to_end() -> None:
    proc = subprocess.run([sys.executable, "-m", "bluelamp", "triage"], input="\n".join(LINES) + "\n",
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [("error" in r) for r in rows] == [False, True, True, True, False]
    assert rows[0]["flags"] == ["weapon"] and rows[4]["grade"] == 4


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_the_command_exits_0_when_all_lines_are_good(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "contacts.jsonl"
    path.write_text(json.dumps(GOOD_1) + "\n\n" + json.dumps(GOOD_2) + "\n")
    proc = subprocess.run([sys.executable, "-m", "bluelamp", "triage", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 2
