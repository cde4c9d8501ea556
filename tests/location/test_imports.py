"""`bluelamp import gazetteer` and `bluelamp import street-crime`: summary line, idempotent re-import."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real" / "uk-staffordshire-street-2025"


def _run(*args: str) -> tuple[int, dict[str, int] | None, str]:
    proc = subprocess.run([sys.executable, "-m", "bluelamp", "import", *args], capture_output=True, text=True,
                          timeout=600)
    lines = proc.stdout.strip().splitlines()
    return proc.returncode, json.loads(lines[-1]) if lines else None, proc.stderr


OPEN_NAMES = [
    # no header row, as OS ships it: ID, NAMES_URI, NAME1, NAME1_LANG, NAME2, NAME2_LANG, TYPE, LOCAL_TYPE, X, Y ...
    ["osgb4000000074558581", "uri", "Greengate Street", "", "", "", "transportNetwork", "Named Road", "392180",
     "323240", "", "", "", "", "", "", "ST16", "", "Stafford", "", "", "Stafford", "", "", "Staffordshire"],
    ["osgb4000000074558582", "uri", "Stafford", "", "", "", "populatedPlace", "Town", "392000", "323000", "", "",
     "", "", "", "", "ST16", "", "", "", "", "Stafford", "", "", "Staffordshire"],
    ["osgb4000000074558583", "uri", "Nowhere Lane", "", "", "", "transportNetwork", "Named Road", "not", "a number"],
]


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_os_open_names_imports_with_a_summary_and_again_imports_nothing(db, tmp_path):
    import csv

    path = tmp_path / "SJ_open_names.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(OPEN_NAMES)
    code, summary, err = _run("gazetteer", str(path), "--format", "os-open-names")
    assert code == 0, err
    assert summary == {"rows": 3, "imported": 2, "rejected": 1, "already_present": 0}
    assert ":3: rejected" in err
    code, again, _ = _run("gazetteer", str(path), "--format", "os-open-names")
    assert again == {"rows": 3, "imported": 0, "rejected": 1, "already_present": 2}
    from sqlalchemy import select

    from bluelamp.location.store import GazetteerEntry

    with db.unit_of_work() as session:
        road = session.execute(select(GazetteerEntry).where(GazetteerEntry.name == "Greengate Street")).scalar_one()
    assert road.kind == "street" and road.locality == "Stafford"
    assert 52.7 < road.lat < 52.9 and -2.2 < road.lon < -2.0


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_code_point_open_postcodes_import_and_match(db, tmp_path, client, make_user):
    path = tmp_path / "st.csv.gz"
    with gzip.open(path, "wt", newline="") as f:
        f.write('"ST16 2JA",10,392150,323220,"E92000001","E19000001","E18000005","E10000028","E07000197",'
                '"E05007340"\n"BAD",10,1,1,"","","","","",""\n')
    code, summary, err = _run("gazetteer", str(path), "--format", "code-point-open")
    assert code == 0, err
    assert summary == {"rows": 2, "imported": 1, "rejected": 1, "already_present": 0}
    found = client.get("/api/v1/locations/match", params={"q": "st16 2ja"},
                       headers=make_user("call_handler")[1]).json()["matches"]
    assert found[0]["label"] == "ST16 2JA" and found[0]["score"] == 100


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_a_file_with_the_wrong_columns_imports_nothing(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Month,Crime type\n2025-01,Burglary\n")
    code, _, err = _run("street-crime", str(path))
    assert code == 1 and "missing column" in err


@pytest.mark.slow
@pytest.mark.skipif(not REAL.is_dir(),
                    reason="the shared real data folder (../shared/data/real) is not next to the repository")
def test_real_staffordshire_street_crime_imports_once_and_hotspots_count_it(db, client, make_user):
    january = REAL / "2025-01-staffordshire-street.csv.gz"
    code, summary, err = _run("street-crime", str(january))
    assert code == 0, err
    assert summary["rows"] == 7522  # PROVENANCE.md: 2025-01 7,522 rows
    assert summary["rows"] == summary["imported"] + summary["rejected"] + summary["already_present"]
    assert summary["imported"] > 7400
    code, again, _ = _run("street-crime", str(january))
    assert again["imported"] == 0 and again["already_present"] == summary["imported"] + summary["already_present"]
    analyst = make_user("analyst")[1]
    hexes = client.get("/api/v1/hotspots", params={"by": "hex", "month": "2025-01-01", "limit": 5000},
                       headers=analyst).json()
    assert hexes["total_crimes"] == sum(i["crimes"] for i in hexes["items"]) <= summary["imported"]
    assert hexes["items"][0]["crimes"] >= hexes["items"][-1]["crimes"]
    assert len(hexes["items"][0]["boundary"]) == 6
    asb = client.get("/api/v1/hotspots", params={"by": "area", "crime_type": "Anti-social behaviour"},
                     headers=analyst).json()
    areas = {i["key"]: i["crimes"] for i in asb["items"]}
    assert areas.get("Stoke-on-Trent", 0) > 100  # the county's city has the most
    assert "Anti-social behaviour" in asb["crime_types"] and asb["months"] == ["2025-01-01"]
