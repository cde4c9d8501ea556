"""Compare the demo force's demand shapes with real call data; prints the Markdown tables of docs/demo-force.md.

    python benchmarks/compare_demo_shapes.py [--seed 42] [--end 2026-03-01]

Real data (read from ../shared/data/real, never copied): San Antonio PD calls for service (complete
days of the first days of each month, 2022-2026) and the DECC 911 centre's police CAD rows (18 weeks of
2025). The synthetic side is the demo's plan for the 365 days before --end (no database needed).
Profiles are shares of the total (hour of day, day of week) or indexes against the mean (month,
holidays), so centres of very different size compare directly.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

from bluelamp.clock import LONDON
from bluelamp.synth import shapes
from bluelamp.synth.people import population
from bluelamp.synth.plan import Planner

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def sapd() -> pd.DataFrame:
    calls = pd.read_csv(REAL / "sapd-san-antonio-cfs" / "sapd_cfs_first_days_of_month_2022-2026.csv.gz",
                        usecols=["received_local"])
    local = pd.to_datetime(calls["received_local"].str.slice(0, 19))
    cover = pd.read_csv(REAL / "sapd-san-antonio-cfs" / "sapd_daily_coverage.csv")
    complete = set(pd.to_datetime(cover.loc[cover["likely_complete_day"], "date"]).dt.date)
    frame = pd.DataFrame({"t": local, "day": local.dt.date})
    return frame[frame["day"].isin(complete)]


def decc() -> pd.DataFrame:
    rows = pd.read_csv(REAL / "decc-911-center-cad" / "decc_cad_calls_2025w35-w52.csv.gz",
                       usecols=["Response_Date", "Agency"])
    rows = rows[rows["Agency"] == "POLICE"]
    local = pd.to_datetime(rows["Response_Date"])
    return pd.DataFrame({"t": local, "day": local.dt.date})


def synthetic(seed: int, end: datetime) -> pd.DataFrame:
    plan = Planner(seed, population(seed)).plan(end - timedelta(days=365), end)
    local = pd.to_datetime(plan.t, unit="s", utc=True).tz_convert(LONDON).tz_localize(None)
    channel = np.array(shapes.CHANNELS)[plan.channel]
    return pd.DataFrame({"t": local, "day": local.date, "channel": channel})


def hour_profile(frame: pd.DataFrame) -> pd.Series:
    return frame["t"].dt.hour.value_counts(normalize=True).sort_index() * 100


def weekday_profile(frame: pd.DataFrame) -> pd.Series:
    # Mean calls per weekday (so weeks with missing days do not bias it), as a share of the week.
    daily = frame.groupby("day").size()
    by_dow = daily.groupby([pd.Timestamp(d).dayofweek for d in daily.index]).mean()
    return by_dow / by_dow.sum() * 100


def holiday_ratio(frame: pd.DataFrame, calendar: holidays.HolidayBase) -> tuple[float, int]:
    """Calls on public holidays / mean calls on ordinary days of the same weekday."""
    daily = frame.groupby("day").size()
    days = pd.Series(daily.index, index=daily.index)
    is_hol = days.map(lambda d: d in calendar)
    dow = days.map(lambda d: d.weekday())
    ratios = []
    for day in daily.index[is_hol.to_numpy()]:
        same = daily[(dow == day.weekday()).to_numpy() & ~is_hol.to_numpy()]
        if len(same):
            ratios.append(daily[day] / same.mean())
    return (float(np.mean(ratios)) if ratios else float("nan")), len(ratios)


def month_index_sapd() -> pd.Series:
    monthly = pd.read_csv(REAL / "sapd-san-antonio-cfs" / "sapd_monthly_calls_by_zip.csv")
    totals = monthly.groupby("month")["calls"].sum()
    # Drop the months the provenance notes as partial (scraper gaps).
    totals = totals.drop([m for m in ("2022-08", "2023-07", "2023-11") if m in totals.index])
    by_month = totals.groupby(pd.to_datetime(totals.index).month).mean()
    return by_month / by_month.mean() * 100


def month_index(frame: pd.DataFrame) -> pd.Series:
    daily = frame.groupby("day").size()
    by_month = daily.groupby([d.month for d in daily.index]).mean()
    return by_month / by_month.mean() * 100


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _f(x: float) -> str:
    return "–" if x != x else f"{x:.1f}"  # NaN shows as a dash


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end", default="2026-03-01")
    args = parser.parse_args()
    end = datetime.fromisoformat(args.end).replace(tzinfo=UTC)
    sa, dc, syn = sapd(), decc(), synthetic(args.seed, end)
    s999, s101 = syn[syn["channel"] == "999"], syn[syn["channel"] == "101"]

    print("### Hour of day (% of calls, local time)\n")
    cols = [hour_profile(x) for x in (sa, dc, syn, s999, s101)]
    print(_table(["hour", "SAPD", "DECC police", "demo (all)", "demo 999", "demo 101"],
                 [[f"{h:02d}"] + [_f(c.get(h, 0.0)) for c in cols] for h in range(24)]))

    print("\n### Day of week (% of a week's calls, mean per weekday)\n")
    cols = [weekday_profile(x) for x in (sa, dc, syn, s999, s101)]
    print(_table(["day", "SAPD", "DECC police", "demo (all)", "demo 999", "demo 101"],
                 [[DAYS[d]] + [_f(c.get(d, float("nan"))) for c in cols] for d in range(7)]))

    print("\n### Friday and Saturday nights (22:00-03:59, % of the week's night calls)\n")
    rows = []
    for name, frame in (("SAPD", sa), ("DECC police", dc), ("demo 999", s999)):
        night = frame[(frame["t"].dt.hour >= 22) | (frame["t"].dt.hour < 4)]
        start_day = (night["t"] - pd.Timedelta(hours=4)).dt.dayofweek
        share = start_day.value_counts(normalize=True).sort_index() * 100
        rows.append([name] + [_f(share.get(d, float("nan"))) for d in range(7)])
    print(_table(["night starting", *DAYS], rows))

    print("\n### Month (index, mean month = 100)\n")
    cols = [month_index_sapd(), month_index(dc), month_index(syn)]
    print(_table(["month", "SAPD (monthly totals 2022-26)", "DECC police (Aug-Dec only)", "demo (all)"],
                 [[f"{m:02d}"] + [_f(c.get(m, float("nan"))) for c in cols] for m in range(1, 13)]))

    print("\n### Public holidays (calls / mean of ordinary days of the same weekday)\n")
    years = range(2022, 2027)
    rows = []
    for name, frame, cal in (
        ("SAPD (US federal + TX)", sa, holidays.country_holidays("US", subdiv="TX", years=years)),
        ("DECC police (US federal + VA)", dc, holidays.country_holidays("US", subdiv="VA", years=years)),
        ("demo (all)", syn, holidays.country_holidays("GB", subdiv="ENG", years=years)),
        ("demo 999", s999, holidays.country_holidays("GB", subdiv="ENG", years=years)),
        ("demo 101", s101, holidays.country_holidays("GB", subdiv="ENG", years=years)),
    ):
        ratio, n = holiday_ratio(frame, cal)
        rows.append([name, f"{ratio:.2f}", str(n)])
    print(_table(["series", "holiday ratio", "holidays in data"], rows))

    print(f"\nDemo: seed {args.seed}, 365 days to {end.date()}, {len(syn):,} contacts "
          f"({len(syn) / 365:,.0f} a day). SAPD: {len(sa):,} calls on {sa['day'].nunique()} complete days. "
          f"DECC police: {len(dc):,} calls on {dc['day'].nunique()} days. Generated {date.today()}.")


if __name__ == "__main__":
    main()
