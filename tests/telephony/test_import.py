"""`bluelamp import phone FILE --format hourly-bands`: missing columns import nothing, a row whose totals
do not add up is rejected with its reason, the same hours again import nothing."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bluelamp.response.importers import FileError
from bluelamp.telephony.imports import import_hourly
from bluelamp.telephony.store import CallHour

SAMPLE = Path(__file__).parent / "data" / "hourly_bands_sample.csv"
BANDS = ("10", "15", "20", "40", "60", "120", "121")


def row(start: str, e999=(40, 3, 1, 1, 0, 0, 0), ab999=1, adm=(20, 5, 5, 10, 8, 6, 6), ab_adm=12, **kw: str):
    out = {"interval_start_local": start, "site": "HQ", "911_ANS_AVG": "7.2"}
    for prefix, bands, ab in (("911", e999, ab999), ("ADM", adm, ab_adm)):
        for name, n in zip(BANDS, bands, strict=True):
            out[f"{prefix}_{name}"] = str(n)
        out[f"{prefix}_AB"] = str(ab)
        out[f"{prefix}_T"] = str(sum(bands) + ab)
    return out | kw


def write(path: Path, rows: list[dict[str, str]], drop: tuple[str, ...] = ()) -> Path:
    columns = [c for c in rows[0] if c not in drop]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_a_report_imports_each_line_hour_and_a_rerun_imports_nothing(db, tmp_path, fixed_clock):
    f = write(tmp_path / "r.csv", [row("2026-02-10T08:00:00"), row("2026-02-10T09:00:00")])
    err = io.StringIO()
    s = import_hourly(db, f, tz="Europe/London", err=err)
    assert s.to_dict() == {"rows": 2, "imported": 2, "rejected": 0, "already_present": 0}
    with db.unit_of_work(write=False) as session:
        hours = session.execute(select(CallHour).order_by(CallHour.hour, CallHour.line)).scalars().all()
        assert [(h.line, h.hour) for h in hours][:2] == [("101", datetime(2026, 2, 10, 8, tzinfo=UTC)),
                                                         ("999", datetime(2026, 2, 10, 8, tzinfo=UTC))]
        h999 = next(h for h in hours if h.line == "999")
        assert h999.offered == 46 and h999.abandoned == 1 and h999.bands["10"] == 40 and h999.bands["121"] == 0
    again = import_hourly(db, f, tz="Europe/London", err=io.StringIO())
    assert again.to_dict() == {"rows": 2, "imported": 0, "rejected": 0, "already_present": 2}


def test_a_row_whose_totals_do_not_add_up_is_rejected_with_the_reason(db, tmp_path, fixed_clock):
    bad = row("2026-02-10T10:00:00")
    bad["ADM_T"] = str(int(bad["ADM_T"]) + 3)
    rows = [row("2026-02-10T09:00:00"), bad, row("2026-02-10T11:00:00", **{"911_15": "many"}),
            row("2026-02-10T12:30:00"), row("2026-02-10T13:00:00")]
    err = io.StringIO()
    s = import_hourly(db, write(tmp_path / "r.csv", rows), tz="Europe/London", err=err)
    assert s.to_dict() == {"rows": 5, "imported": 2, "rejected": 3, "already_present": 0}
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("line 3: rejected: ADM_T is") and "add up to" in lines[0]
    assert "911_15 must be a whole number" in lines[1] and "not the start of an hour" in lines[2]


def test_a_report_with_missing_columns_imports_nothing(db, tmp_path, count):
    f = write(tmp_path / "r.csv", [row("2026-02-10T08:00:00")], drop=("ADM_AB", "911_121"))
    with pytest.raises(FileError, match="missing columns 911_121, ADM_AB"):
        import_hourly(db, f, err=io.StringIO())
    assert count(CallHour) == 0


def test_future_hours_and_times_that_do_not_exist_are_rejected(db, tmp_path, fixed_clock):
    rows = [row("2026-03-29T01:00:00"), row("2030-01-01T00:00:00")]  # clocks go forward at 01:00 on 29 March
    err = io.StringIO()
    s = import_hourly(db, write(tmp_path / "r.csv", rows), tz="Europe/London", err=err)
    assert s.rejected == 2 and "does not exist" in err.getvalue() and "in the future" in err.getvalue()


def test_the_hour_the_clocks_go_back_is_two_hours(db, tmp_path, fixed_clock):
    fixed_clock.now = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [row("2026-10-25T00:00:00"), row("2026-10-25T01:00:00"), row("2026-10-25T01:00:00"),
            row("2026-10-25T02:00:00")]
    s = import_hourly(db, write(tmp_path / "r.csv", rows), tz="Europe/London", err=io.StringIO())
    assert s.imported == 4
    with db.unit_of_work(write=False) as session:
        got = sorted({h for (h,) in session.execute(select(CallHour.hour))})
    assert [h.hour for h in got] == [23, 0, 1, 2]


@pytest.mark.slow
def test_the_command_prints_the_summary_last_and_fails_in_one_line(db, tmp_path):
    out = subprocess.run([sys.executable, "-m", "bluelamp", "import", "phone", str(SAMPLE), "--format",
                          "hourly-bands", "--tz", "Europe/London"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary == {"rows": 48, "imported": 47, "rejected": 1, "already_present": 0}
    assert "line 27: rejected: ADM_T is" in out.stderr
    broken = write(tmp_path / "b.csv", [row("2026-02-10T08:00:00")], drop=("911_T",))
    bad = subprocess.run([sys.executable, "-m", "bluelamp", "import", "phone", str(broken), "--format",
                          "hourly-bands"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    assert "missing column 911_T" in bad.stderr and "nothing was imported" in bad.stderr
    wrong = subprocess.run([sys.executable, "-m", "bluelamp", "import", "phone", str(SAMPLE), "--format", "csv"],
                           capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 1 and "unknown format" in wrong.stderr
