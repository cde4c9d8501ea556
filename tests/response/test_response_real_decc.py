"""The real DECC export: every row accounted for, every agency kept, measures matching an independent count."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bluelamp.response.importers.runner import import_cad
from bluelamp.response.store import Incident

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
# As every real-data test: skipped, saying why, when ../shared is not beside the repository.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not REAL.exists(), reason="the shared real data folder (../shared/data/real) is not next to the repository")]


def test_the_real_decc_file_imports_once_and_its_measures_match_pandas(db, tmp_path):
    path = REAL / "decc-911-center-cad" / "decc_cad_calls_2025w35-w52.csv.gz"
    err = io.StringIO()
    first = import_cad(db, path, err=err)
    assert first.to_dict() == {"rows": 28751, "imported": 28740, "rejected": 11, "already_present": 0}
    assert err.getvalue().count("missing incident number") == 11
    again = import_cad(db, path, err=io.StringIO())
    assert again.to_dict() == {"rows": 28751, "imported": 0, "rejected": 11, "already_present": 28740}
    with db.unit_of_work() as session:
        agencies = dict(session.execute(select(Incident.agency, func.count()).group_by(Incident.agency)).all())
        # PROVENANCE.md: POLICE 18,989, EMS 6,644, FIRE 3,118; the 11 rows without a number are police.
        assert agencies == {"police": 18978, "ems": 6644, "fire": 3118}
        from bluelamp.performance.measures import measures

        result = measures(session, agency="police")
    expected = _independent(path)
    for grade, figures in expected.items():
        got = result["attendance"][grade]
        assert {k: got[k] for k in figures} == pytest.approx(figures, rel=1e-3), grade


def _independent(path) -> dict[str, dict[str, float]]:
    """The same figures straight from the CSV with pandas, reading only the file."""
    import numpy as np
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df[(df.Master_Incident_Number != "") & (df.Agency == "POLICE")]
    ny = "America/New_York"
    start = pd.to_datetime(df.Incident_Start_Time).dt.tz_localize(ny, ambiguous=np.ones(len(df), bool))
    arrival = pd.to_datetime(df.Incident_Arrival_Time.replace("NULL", None))
    # Rows around the autumn clock change: take the reading that does not precede the call.
    early = arrival.dt.tz_localize(ny, ambiguous=np.ones(len(df), bool), nonexistent="NaT")
    late = arrival.dt.tz_localize(ny, ambiguous=np.zeros(len(df), bool), nonexistent="NaT")
    arrived = early.where(early >= start, late)
    secs = (arrived - start).dt.total_seconds()
    pr = pd.to_numeric(df.Priority_Number, errors="coerce")
    grade = np.select([pr.between(0, 1), pr == 2, pr.between(3, 4)], ["1", "2", "3"], "4")
    target = pd.Series(grade, index=df.index).map({"1": 15 * 60, "2": 60 * 60, "3": 48 * 3600})
    out = {}
    for g in ("1", "2", "3"):
        mask = grade == g
        s = secs[mask].dropna()
        out[g] = {"incidents": int(mask.sum()), "attended": len(s),
                  "within_target": int((s <= target[mask][s.index]).sum()),
                  "median_s": float(np.percentile(s, 50)), "p90_s": float(np.percentile(s, 90))}
    return out
