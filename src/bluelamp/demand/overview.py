"""The force's demand at a glance, from its own records: what the Demand page shows.

Forecasts (hourly, with 80% and 95% intervals) for the force and each channel, reconciled so the
channels add up to the force; the 999 staffing curve (Erlang C, 90% answered in 10 s, staffed to the
upper 80% bound) against the cover of a CP-SAT rota built for it; the rota simulated (SimPy) for 999
answering, side by side with a plan staffed to the mean forecast; and simulated attendance of
response units for the incidents the forecast implies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from bluelamp import clock
from bluelamp.demand import history, reconcile, rota, staffing
from bluelamp.demand import simulate as sim
from bluelamp.demand.forecast import DEFAULT_LEVELS, MIN_DAYS, forecast_intraday_split
from bluelamp.demand.series import DemandInputError

DAILY_DAYS = 730          # daily history read for the daily model (annual effects from two years)
HOURLY_DAYS = 56          # hourly history read for the intraday profile (eight weeks)
ACTUAL_DAYS = 7           # actuals drawn before the forecast
PAGE_REPLICATIONS = 80     # common random numbers: enough to settle the compared difference
ROTA_DAYS = 2             # whole days after today that are staffed, rostered and simulated
ROTA_TIME_LIMIT_S = 4.0
# Assumptions used only when the database lacks the facts, and then named on the page as assumed (they
# are not any force's own figures): incidents per contact, grade 1-3 mix, urban share, response cars.
DEFAULT_INCIDENT_SHARE = 0.39
DEFAULT_GRADE_MIX = (0.15, 0.35, 0.50)
DEFAULT_URBAN_SHARE = 0.7
DEFAULT_UNITS = 24


@dataclass(frozen=True)
class ResponseFacts:
    """What the attendance simulation needs, and which of it was assumed rather than read."""

    incident_share: float = DEFAULT_INCIDENT_SHARE
    grade_mix: tuple[float, float, float] = DEFAULT_GRADE_MIX
    urban_share: float = DEFAULT_URBAN_SHARE
    units: int = DEFAULT_UNITS
    assumed: tuple[str, ...] = ("incident_share", "grade_mix", "urban_share", "units")


@dataclass
class History:
    """What the database holds, read once: daily by (area, channel), hourly by channel."""

    daily: pd.DataFrame
    hourly: pd.DataFrame
    last_day: date
    as_of: datetime
    response: ResponseFacts = ResponseFacts()


def read_history(conn: Connection, as_of: datetime | None = None) -> History | None:
    """The last two years of days and eight weeks of hours up to `as_of` (None if no contacts)."""
    as_of = as_of or clock.now()
    tz = history.zone()
    today = as_of.astimezone(tz).date()
    first = history.first_contact_day(conn)
    if first is None or first >= today:
        return None
    last_day = today - timedelta(days=1)
    d_first = max(first, today - timedelta(days=DAILY_DAYS))
    daily = history.daily_counts(conn, d_first, last_day)
    hourly = history.hourly_counts(conn, max(first, today - timedelta(days=HOURLY_DAYS)), last_day)
    contacts = float(daily.iloc[-28:].to_numpy().sum()) if not daily.empty else 0.0
    return History(daily, hourly, last_day, as_of, _response_facts(conn, as_of, contacts))


def series(conn: Connection, freq: str = "D", channel: str | None = None, area: str | None = None,
           as_of: datetime | None = None) -> pd.Series:
    """One aggregated history (force, channel, area or both) by day, week or hour, up to yesterday."""
    as_of = as_of or clock.now()
    today = as_of.astimezone(history.zone()).date()
    first = history.first_contact_day(conn)
    if first is None or first >= today:
        return pd.Series(dtype=float)
    last_day = today - timedelta(days=1)
    if freq in ("h", "H"):
        hourly = history.hourly_counts(conn, max(first, today - timedelta(days=HOURLY_DAYS)), last_day,
                                       channel, area)
        return hourly.sum(axis=1) if not hourly.empty else pd.Series(dtype=float)
    daily = history.daily_counts(conn, max(first, today - timedelta(days=DAILY_DAYS)), last_day)
    values = history.select_series(daily, channel or None, area or None)
    if freq == "W":
        weeks = values.resample("W-SUN", label="left", closed="left")
        values = weeks.sum()[weeks.count() == 7]
    return values


def build(hist: History, horizon_days: int = ROTA_DAYS) -> dict[str, Any]:
    """Forecasts, staffing, rota and simulations for the page (JSON-ready)."""
    days = len(hist.daily)
    if days < MIN_DAYS:
        raise DemandInputError(f"only {days} complete day(s) of contacts in the database: a forecast needs "
                               f"{MIN_DAYS}. (The demo force seeds older days in the background; reload soon.)")
    channels = [c for c in history.CHANNELS if any(k[1] == c for k in hist.daily.columns)]
    start = pd.Timestamp(hist.last_day) + pd.Timedelta(days=1)
    horizon = 24 * (1 + horizon_days)  # the rest of today (from midnight, so actuals meet it) and the days after
    keys = [(reconcile.ALL, reconcile.ALL)] + [(reconcile.ALL, c) for c in channels]
    frames = {}
    for key in keys:
        daily = history.select_series(hist.daily, None if key[1] == reconcile.ALL else key[1])
        hourly = (hist.hourly.sum(axis=1) if key[1] == reconcile.ALL
                  else hist.hourly.get(key[1], pd.Series(0.0, index=hist.hourly.index)))
        hourly = hourly[hourly.index < start]
        frames[key] = forecast_intraday_split(hourly, "h", horizon, DEFAULT_LEVELS, daily=daily).clip(lower=0.0)
    h = reconcile.grouped(keys[1:]) if len(keys) > 2 else None
    rec = reconcile.reconcile_frames(frames, h, "wls_var") if h is not None else frames
    actual_from = start - pd.Timedelta(days=ACTUAL_DAYS)
    series_out = {}
    for key in keys:
        name = reconcile.label(key)
        act = (hist.hourly.sum(axis=1) if key[1] == reconcile.ALL else hist.hourly.get(key[1]))
        act = act[act.index >= actual_from] if act is not None else pd.Series(dtype=float)
        f = rec[key]
        series_out[name] = {"actual": {"x": [str(t) for t in act.index], "y": act.tolist()},
                            "forecast": {"x": [str(t) for t in f.index]}
                            | {c: np.round(f[c].to_numpy(), 2).tolist() for c in f.columns}}
    out: dict[str, Any] = {"series": series_out, "channels": ["force", *channels],
                           "history_days": days, "from": str(hist.daily.index[0].date()),
                           "to": str(hist.last_day), "reconciled": h is not None}
    if "999" in channels:
        out |= _staff_and_simulate(rec[(reconcile.ALL, "999")], horizon_days)
        out["attendance"] = _attendance(hist, rec[(reconcile.ALL, reconcile.ALL)], horizon_days)
    return out


def _staff_and_simulate(fc: pd.DataFrame, horizon_days: int) -> dict[str, Any]:
    target = staffing.CHANNEL_TARGETS["999"]
    plan = fc.iloc[24:24 * (1 + horizon_days)]   # the whole days after today
    need = [staffing.staff_interval(float(v), 3600, target)["scheduled_agents"]
            for v in plan["yhat_hi_80"].clip(lower=0)]
    mean_need = [staffing.staff_interval(float(v), 3600, target)["agents"] for v in plan["yhat"].clip(lower=0)]
    req = rota.requirement_from_hourly(need)
    shifts, status = rota.plan_shifts(req, time_limit_s=ROTA_TIME_LIMIT_S)
    cover = rota.cover_of(shifts, len(req))
    halves = np.repeat(plan["yhat"].to_numpy() / 2, 2).tolist()
    rota_plan = sim.CallPlan(halves, cover.tolist(), 1800, target.aht_s, target.target_answer_s)
    mean_plan = sim.CallPlan(halves, np.repeat(mean_need, 2).tolist(), 1800, target.aht_s, target.target_answer_s)
    compared = sim.compare(rota_plan, mean_plan, max_replications=PAGE_REPLICATIONS)
    slots = pd.date_range(plan.index[0], periods=len(req), freq="30min")
    return {
        "staffing": {"x": [str(t) for t in slots], "required": req, "cover": cover.tolist(),
                     "mean_agents": np.repeat(mean_need, 2).tolist(), "rota_status": status,
                     "shifts": len(shifts), "shortfall_slots": int(np.maximum(np.asarray(req) - cover, 0).sum())},
        "answering": {"rota": compared["plan_a"], "mean": compared["plan_b"],
                      "target": f"{int(target.target_level * 100)}% in {int(target.target_answer_s)} s"},
    }


def _attendance(hist: History, force: pd.DataFrame, horizon_days: int) -> dict[str, Any]:
    facts = hist.response
    share, mix, urban, units = facts.incident_share, facts.grade_mix, facts.urban_share, facts.units
    incidents = (force["yhat"].iloc[24:24 * (1 + horizon_days)] * share).tolist()
    plans = {"current": units, "plus_25pct": int(math.ceil(units * 1.25))}
    out: dict[str, Any] = {"incident_share": round(share, 3), "grade_mix": [round(m, 3) for m in mix],
                           "urban_share": round(urban, 3), "assumed": list(facts.assumed)}
    compared = sim.compare_response({name: sim.ResponsePlan(incidents, [n] * len(incidents), 3600, mix, urban)
                                     for name, n in plans.items()}, max_replications=PAGE_REPLICATIONS)
    for name, n in plans.items():
        out[name] = {"units": n, **compared[name]}
    out["difference"] = compared["difference"]["plus_25pct"]
    out["replications"] = compared["replications"]
    return out


def _response_facts(conn: Connection, as_of: datetime, contacts: float) -> ResponseFacts:
    """Incidents per contact, grade mix, urban share (last 28 days) and response cars; each fact the
    records cannot give is the default and listed in `assumed`."""
    from bluelamp.response.store import Incident, Unit

    start = as_of - timedelta(days=28)
    i = Incident.__table__
    rows = conn.execute(select(i.c.grade, i.c.urban, func.count()).where(i.c.received_at >= start,
                                                                          i.c.received_at < as_of)
                        .group_by(i.c.grade, i.c.urban)).all()
    by_grade = {1: 0.0, 2: 0.0, 3: 0.0}
    urban_n = total = 0.0
    for grade, is_urban, n in rows:
        if grade in by_grade:
            by_grade[grade] += n
            total += n
            urban_n += n if is_urban else 0
    units = int(conn.execute(select(func.count()).select_from(Unit.__table__)
                             .where(Unit.__table__.c.unit_type == "response_car")).scalar_one())
    no_cars: tuple[str, ...] = () if units else ("units",)
    units = units or DEFAULT_UNITS
    if total == 0 or contacts == 0:
        return ResponseFacts(units=units, assumed=("incident_share", "grade_mix", "urban_share", *no_cars))
    mix = (by_grade[1] / total, by_grade[2] / total, by_grade[3] / total)
    return ResponseFacts(total / contacts, mix, urban_n / total, units, no_cars)


def overview(conn: Connection, as_of: datetime | None = None, horizon_days: int = ROTA_DAYS) -> dict[str, Any]:
    """Read the history and build the page's data in one go."""
    hist = read_history(conn, as_of)
    if hist is None:
        raise DemandInputError("no contacts in the database yet: record some (or run `bluelamp serve --demo`) "
                               "or upload a CSV below")
    return build(hist, horizon_days)
