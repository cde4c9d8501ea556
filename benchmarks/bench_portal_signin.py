"""The victims' page sign-in: does its timing tell whether a crime reference exists?

Times `portal_codes.check` (the whole sign-in check: throttle count, the code hashes, the attempt row)
for a wrong code on a real reference, an unknown reference, a malformed one, a right code, and a wrong
code on a crime with three victims, interleaved round-robin so load drifts hit every kind alike. The
baseline is the wrong code on a real reference; the ratio of each median to it should be near 1.

    python benchmarks/bench_portal_signin.py --rounds 40
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    os.environ.setdefault("BLUELAMP_VAR_DIR", str(tmp))
    os.environ["BLUELAMP_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from bluelamp.contact.store import Contact
    from bluelamp.crime import service as crimes
    from bluelamp.db.engine import get_database
    from bluelamp.db.migrate import upgrade
    from bluelamp.identity.model import Principal
    from bluelamp.victims import portal, portal_codes
    from bluelamp.victims.service import victims_of

    db = get_database(os.environ["BLUELAMP_DATABASE_URL"])
    upgrade(db.engine)
    inv = Principal(user_id=1, username="inv", roles=frozenset({"investigator"}), team="t")

    def crime(n_victims: int) -> tuple[str, str]:
        at = datetime.now(UTC) - timedelta(hours=1)
        with db.unit_of_work() as session:
            c = Contact(channel="101", agency="police", source="bench", received_at=at, answered_at=at,
                        narrative="bench", urban=True, answers={}, proposal={}, grade=3, route="appointment",
                        flags=[], policy_version="2026.1", household=[], status="decided", recorded_by="bench")
            session.add(c)
            session.flush()
            cr = crimes.record_crime(session, inv, offence="burglary_residential", risk="low", contact_id=c.id,
                                     parties=[{"role": "victim", "name": f"V{i}"} for i in range(n_victims)])
            return f"CR{cr.id}", portal_codes.issued_in(session)[victims_of(session, cr.id)[0].id][0]

    one_ref, one_code = crime(1)
    three_ref, _ = crime(3)
    kinds = {"wrong code, real reference (baseline)": (one_ref, "AAAA-BBBB-CCCC"),
             "unknown reference": ("CR987654", "AAAA-BBBB-CCCC"), "malformed reference": ("hello", "AAAA-BBBB-CCCC"),
             "right code": (one_ref, one_code), "wrong code, crime with 3 victims": (three_ref, "AAAA-BBBB-CCCC")}
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for i in range(args.rounds):
        for kind, (ref, code) in kinds.items():
            with db.unit_of_work() as session:
                t = time.perf_counter()
                # a fresh address each time, so the throttle never stops the comparison
                portal_codes.check(session, ref, code, f"10.9.{i}.{len(times[kind])}", shown_online=portal.shown_online)
                session.flush()
                times[kind].append((time.perf_counter() - t) * 1000)
            with db.unit_of_work() as session:  # keep the reference below its lock
                from sqlalchemy import delete

                from bluelamp.victims.portal_store import PortalAttempt

                session.execute(delete(PortalAttempt))
    base = statistics.median(times["wrong code, real reference (baseline)"])
    print(f"rounds {args.rounds}, load average {os.getloadavg()[0]:.2f}")
    for kind, ts in times.items():
        med = statistics.median(ts)
        p90 = sorted(ts)[int(0.9 * (len(ts) - 1))]
        print(f"{kind:40s} median {med:7.1f} ms  p90 {p90:7.1f} ms  ratio {med / base:5.2f}")


if __name__ == "__main__":
    main()
