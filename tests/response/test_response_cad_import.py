"""`bluelamp import cad`: file-level problems import nothing, row problems reject the row, reruns add nothing."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bluelamp.contact.store import Contact
from bluelamp.response.importers import FileError
from bluelamp.response.importers.decc import DeccAdapter
from bluelamp.response.importers.runner import import_cad
from bluelamp.response.store import Incident

COLUMNS = list(DeccAdapter.required_columns) + ["Call_Taker"]


def row(ref: str, start: str = "2025-08-24 00:07:06.000", agency: str = "POLICE", priority: str = "2",
        arrival: str = "2025-08-24 00:23:51.860", **kw: str) -> dict[str, str]:
    base = {"Master_Incident_Number": ref, "Agency": agency, "Problem": "ALARM COMMERCIAL",
            "Priority_Number": priority, "Call_Reception": "E-911", "Incident_Start_Time": start,
            "Incident_Queue_Time": start, "Incident_Dispatch_Time": "NULL", "Incident_Enroute_Time": "NULL",
            "Incident_Arrival_Time": arrival, "Incident_First_Close_Time": "NULL", "Final_Closed_Time": "NULL",
            "Disposition": "FALSE-False Alarm", "Call_Taker": "staff_001"}
    return base | kw


def write(path: Path, rows: list[dict[str, str]], columns: list[str] = COLUMNS, encoding: str = "utf-8",
          gz: bool = False) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def counts(db) -> tuple[int, int]:
    with db.unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(Contact)), s.scalar(select(func.count()).select_from(Incident))


def test_it_imports_rows_with_their_real_times_agency_and_mapped_grade(db, tmp_path):
    f = write(tmp_path / "cad.csv.gz", [row("25-1"), row("25-2", agency="EMS", priority="1"),
                                        row("25-3", agency="FIRE", priority="8", arrival="NULL")], gz=True)
    summary = import_cad(db, f, err=io.StringIO())
    assert summary.to_dict() == {"rows": 3, "imported": 3, "rejected": 0, "already_present": 0}
    with db.unit_of_work() as s:
        incs = {i.external_ref: i for i in s.scalars(select(Incident))}
        assert {r: (i.agency, i.grade) for r, i in incs.items()} == \
            {"25-1": ("police", 2), "25-2": ("ems", 1), "25-3": ("fire", 4)}
        one = incs["25-1"]
        # 00:07:06 in New York in August (EDT, UTC-4) is 04:07:06 UTC.
        assert one.received_at == datetime(2025, 8, 24, 4, 7, 6, tzinfo=UTC)
        assert one.arrived_at == datetime(2025, 8, 24, 4, 23, 51, 860000, tzinfo=UTC)
        assert one.urban and one.call_type == "ALARM COMMERCIAL" and one.source_priority == "2"
        assert (one.attend_by - one.received_at).total_seconds() == 3600
        assert incs["25-3"].attend_by is None
        contact = s.get(Contact, one.contact_id)
        assert (contact.channel, contact.agency, contact.source) == ("999", "police", "import:decc")


def test_importing_the_same_file_twice_adds_nothing(db, tmp_path):
    f = write(tmp_path / "cad.csv", [row("25-1"), row("25-2")])
    import_cad(db, f, err=io.StringIO())
    again = import_cad(db, f, err=io.StringIO())
    assert again.to_dict() == {"rows": 2, "imported": 0, "rejected": 0, "already_present": 2}
    assert counts(db) == (2, 2)


def test_a_repeated_incident_number_within_a_file_is_already_present(db, tmp_path):
    f = write(tmp_path / "cad.csv", [row("25-1"), row("25-1", agency="EMS")])
    assert import_cad(db, f, err=io.StringIO()).to_dict() == \
        {"rows": 2, "imported": 1, "rejected": 0, "already_present": 1}


def test_a_row_with_a_bad_date_is_rejected_with_its_reason_and_the_rest_import(db, tmp_path):
    f = write(tmp_path / "cad.csv", [row("25-1"), row("25-2", arrival="2025-08-32 99:00"), row(""),
                                     row("25-4", start="2025-03-09 02:30:00", arrival="NULL")])
    err = io.StringIO()
    summary = import_cad(db, f, err=err)
    assert summary.to_dict() == {"rows": 4, "imported": 1, "rejected": 3, "already_present": 0}
    lines = err.getvalue().splitlines()
    assert "line 3: 25-2: rejected: bad date in Incident_Arrival_Time" in lines[0]
    assert "missing incident number" in lines[1]
    assert "does not exist in America/New_York" in lines[2]


def test_an_arrival_before_the_call_is_rejected(db, tmp_path):
    f = write(tmp_path / "cad.csv", [row("25-1", start="2025-08-24 10:00:00", arrival="2025-08-24 09:00:00")])
    err = io.StringIO()
    assert import_cad(db, f, err=err).rejected == 1
    assert "before the call was received" in err.getvalue()


def test_rows_across_the_autumn_clock_change_stay_in_order(db, tmp_path):
    f = write(tmp_path / "cad.csv", [row("25-1", start="2025-11-02 01:38:20", arrival="2025-11-02 01:10:37")])
    import_cad(db, f, err=io.StringIO())
    with db.unit_of_work() as s:
        inc = s.scalars(select(Incident)).one()
        assert (inc.arrived_at - inc.received_at).total_seconds() == pytest.approx(1937, abs=1)


def test_missing_columns_import_nothing(db, tmp_path):
    f = write(tmp_path / "cad.csv", [row("25-1")], columns=[c for c in COLUMNS if c != "Incident_Arrival_Time"])
    with pytest.raises(FileError, match="missing columns for format decc: Incident_Arrival_Time"):
        import_cad(db, f, err=io.StringIO())
    assert counts(db) == (0, 0)


def test_a_wrong_encoding_found_late_in_the_file_imports_nothing(db, tmp_path):
    rows = [row(f"25-{i}") for i in range(3000)] + [row("25-x", Problem="CAFÉ DISTURBANCE")]
    f = write(tmp_path / "cad.csv", rows, encoding="latin-1")
    with pytest.raises(FileError, match="not UTF-8"):
        import_cad(db, f, err=io.StringIO(), chunk=500)
    assert counts(db) == (0, 0)


def test_a_custom_grade_mapping_and_time_zone_are_used(db, tmp_path):
    f = write(tmp_path / "cad.csv", [row("25-1", priority="2", start="2025-08-24 00:07:06", arrival="NULL")])
    import_cad(db, f, tz="Europe/London", grade_map="1-2=1,*=4", err=io.StringIO())
    with db.unit_of_work() as s:
        inc = s.scalars(select(Incident)).one()
        assert inc.grade == 1 and inc.received_at == datetime(2025, 8, 23, 23, 7, 6, tzinfo=UTC)


def test_an_unknown_time_zone_or_format_is_a_file_error(db, tmp_path):
    f = write(tmp_path / "cad.csv", [row("25-1")])
    with pytest.raises(FileError, match="unknown time zone"):
        import_cad(db, f, tz="Mars/Olympus", err=io.StringIO())
    with pytest.raises(FileError, match="unknown format"):
        import_cad(db, f, fmt="nope", err=io.StringIO())


def _cli(*args: str):  # type: ignore[no-untyped-def]
    """Run the command in-process (the same Typer app `python -m bluelamp` runs)."""
    from typer.testing import CliRunner

    from bluelamp.cli import app

    result = CliRunner().invoke(app, list(args))
    result.returncode = result.exit_code
    return result


def test_the_command_prints_the_summary_last_and_fails_cleanly_on_a_bad_file(db, tmp_path):
    good = write(tmp_path / "cad.csv", [row("25-1"), row("25-2", arrival="garbage")])
    res = _cli("import", "cad", str(good), "--format", "decc")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1]) == \
        {"rows": 2, "imported": 1, "rejected": 1, "already_present": 0}
    assert "25-2: rejected: bad date" in res.stderr
    bad = write(tmp_path / "bad.csv", [row("25-3")], columns=["Master_Incident_Number", "Agency"])
    res = _cli("import", "cad", str(bad))
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1].startswith("bluelamp: error:")
    assert "missing columns" in res.stderr and "nothing was imported" in res.stderr
