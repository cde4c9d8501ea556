"""Loaders for the public reference series used in backtests (the caller passes the data folder)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SWAST_FILE = "swast-ambulance-daily/ambulance_daily_dispatches_swast_2013_2019.csv"
DECC_FILE = "decc-911-center-cad/decc_cad_calls_2025w35-w52.csv.gz"
SWAST_ORIGIN = "2017-07-01"
SWAST_FOLDS = 27
SWAST_HORIZONS = (7, 14, 28, 42, 84)
DECC_FIRST_WEEK = 41  # the extract's definition changed here (a level shift): use weeks 41-52 only


def swast_daily(real: Path, area: str = "Trust") -> pd.Series:
    """Daily ambulance dispatches for one SWAST area (default the whole Trust)."""
    df = pd.read_csv(real / SWAST_FILE, parse_dates=["Actual_dt"])
    s = df[df["ORA"] == area].set_index("Actual_dt")["Actual_Value"].astype(float).sort_index()
    return s.asfreq("D", fill_value=0.0)


def decc_hourly(real: Path, first_week: int = DECC_FIRST_WEEK) -> pd.Series:
    """Incidents per hour (all agencies, duplicate incident numbers once) from `first_week` on."""
    df = pd.read_csv(real / DECC_FILE, usecols=["Master_Incident_Number", "Response_Date", "WeekNo"])
    df = df[df["WeekNo"] >= first_week].drop_duplicates("Master_Incident_Number")
    times = pd.to_datetime(df["Response_Date"]).dt.floor("h")
    counts = times.value_counts().sort_index()
    start = times.min().normalize()
    end = times.max().normalize() + pd.Timedelta(hours=23)
    grid = pd.date_range(start, end, freq="h")
    return counts.reindex(grid, fill_value=0).astype(float)


def synthetic_hourly(days: int = 56, seed: int = 7, base: float = 12.0) -> pd.Series:
    """A demo series of calls per hour with a police-shaped day, a weekend lift and Poisson noise."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2026-01-05", periods=days * 24, freq="h")
    hour = idx.hour.to_numpy()
    shape = 0.55 + 0.45 * np.sin((hour - 9) / 24 * 2 * np.pi) + 0.25 * np.exp(-((hour - 17) ** 2) / 8)
    weekend = np.where(idx.dayofweek.to_numpy() >= 4, 1.12, 1.0)
    return pd.Series(rng.poisson(base * shape * weekend).astype(float), index=idx)


def demo_force_daily(start: str, end: str, seed: int = 42) -> pd.DataFrame:
    """The demo force's contacts per local day by (area, channel), planned without a database.

    The same plan `bluelamp demo` writes (same seed, same dates), so a backtest on it is a backtest on
    the series the Demand page reads from the demo database. Columns are (area, channel) tuples.
    """
    from datetime import date

    from bluelamp.synth import shapes
    from bluelamp.synth.areas import AREAS
    from bluelamp.synth.people import population
    from bluelamp.synth.plan import Planner

    pop = population(seed)
    planner = Planner(seed, pop)
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    days = pd.date_range(first, last, freq="D")
    area_of_town = np.array([ai for _, ai in pop.towns])
    counts: dict[tuple[str, str], np.ndarray] = {(a.name, c): np.zeros(len(days)) for a in AREAS
                                                 for c in shapes.CHANNELS}
    for i, day in enumerate(days):
        cols = planner.day(day.date())
        area = area_of_town[cols["town"]]
        for ci, channel in enumerate(shapes.CHANNELS):
            for ai, a in enumerate(AREAS):
                counts[(a.name, channel)][i] = float(((cols["channel"] == ci) & (area == ai)).sum())
    frame = pd.DataFrame(counts, index=days)
    frame.columns = pd.Index(list(counts))
    return frame


def national_daily(bottom: pd.DataFrame, forces: int = 43, areas: int = 10, seed: int = 1) -> pd.DataFrame:
    """A synthetic national set in long form (`unique_id, ds, y`) from the demo force's daily series.

    `bottom` is `demo_force_daily` (area x channel columns). Each of `forces` forces gets a size (a
    log-normal spread around the demo force, the largest about ten times the smallest, like England and
    Wales) and `areas` areas: the demo force's areas in turn, each with its own share of the force, and
    for areas past the demo's count a blend of two demo areas. Every series is a fresh Poisson draw
    around the scaled demo series, so no two are the same. Ids read `F07/area3/999`.
    """
    rng = np.random.default_rng(seed)
    demo_areas = sorted({a for a, _ in bottom.columns})
    channels = sorted({c for _, c in bottom.columns})
    sizes = np.exp(rng.normal(0.0, 0.55, forces))
    sizes = np.sort(sizes / sizes.mean())[::-1]
    rows = []
    days = bottom.index
    for f in range(forces):
        share = rng.dirichlet(np.full(areas, 4.0)) * len(demo_areas)   # the areas add up to the force
        for a in range(areas):
            first = demo_areas[a % len(demo_areas)]
            second = demo_areas[(a * 3 + 1) % len(demo_areas)]
            for ch in channels:
                base = bottom[(first, ch)].to_numpy(float)
                if a >= len(demo_areas):
                    base = 0.5 * (base + bottom[(second, ch)].to_numpy(float))
                y = rng.poisson(np.maximum(base * sizes[f] * share[a], 0.0)).astype(float)
                rows.append(pd.DataFrame({"unique_id": f"F{f + 1:02d}/area{a + 1}/{ch}", "ds": days, "y": y}))
    return pd.concat(rows, ignore_index=True)


def national_hourly(daily: pd.DataFrame, days: int, seed: int = 2) -> pd.DataFrame:
    """The national set's last `days` days per hour (`unique_id, ds, y`), from `national_daily`.

    Each day's count of each series is split over its 24 hours by a multinomial draw with the demo
    force's hour-of-day shape for that channel and date (`synth.shapes.hourly_weights`: later weekend
    mornings, busy Friday and Saturday nights), so the hours of a day add up to the daily series.
    Hours are local clock hours (no daylight-saving gap or repeat).
    """
    from bluelamp.synth import shapes

    rng = np.random.default_rng(seed)
    last = daily["ds"].max()
    recent = daily[daily["ds"] > last - pd.Timedelta(days=days)]
    dates = pd.DatetimeIndex(sorted(recent["ds"].unique()))
    hours = (dates.repeat(24) + pd.to_timedelta(np.tile(np.arange(24), len(dates)), unit="h"))
    weights: dict[str, np.ndarray] = {}
    rows = []
    for uid, g in recent.groupby("unique_id", sort=True):
        channel = str(uid).rsplit("/", 1)[1]
        if channel not in weights:
            weights[channel] = np.array([shapes.hourly_weights(d.date(), channel) for d in dates])
        counts = g.set_index("ds")["y"].reindex(dates, fill_value=0.0).to_numpy(np.int64)
        y = rng.multinomial(counts, weights[channel]).reshape(-1).astype(float)
        rows.append(pd.DataFrame({"unique_id": uid, "ds": hours, "y": y}))
    return pd.concat(rows, ignore_index=True)
