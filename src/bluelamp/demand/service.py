"""Demand use cases: forecast a series, staff a curve, build a rota, simulate a plan.

Routes, pages and commands call these; a series can come from a CSV, an upload, or (later) the
force's own records, always as a pandas Series of counts on a regular grid.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from bluelamp.demand import series as ser
from bluelamp.demand.forecast import DEFAULT_LEVELS, forecast
from bluelamp.demand.series import DemandInputError, Series
from bluelamp.demand.staffing import Target, staff_curve, staff_interval

__all__ = ["DemandInputError", "forecast_series", "forecast_csv", "staff_frame", "staff_forecast",
           "read_staffing_csv", "write_csv_atomic"]


def read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV (plain or .gz), turning file problems into `DemandInputError`."""
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise DemandInputError(f"input file {path} not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DemandInputError(f"cannot read {path} as CSV: {str(exc).splitlines()[0]}") from None


def forecast_series(values: pd.Series, freq: str, horizon: int,
                    levels: Sequence[int] = DEFAULT_LEVELS) -> tuple[pd.DataFrame, Series]:
    """Regularise and forecast a series; returns (output frame with ds first, the checked series)."""
    checked = ser.regularise(values, freq)
    return _output(forecast(checked, horizon, levels), checked.freq), checked


def forecast_csv(frame: pd.DataFrame, time_col: str, value_col: str, freq: str, horizon: int,
                 levels: Sequence[int] = DEFAULT_LEVELS) -> tuple[pd.DataFrame, Series]:
    """Forecast the series held in two columns of a frame."""
    checked = ser.from_frame(frame, time_col, value_col, freq)
    return _output(forecast(checked, horizon, levels), checked.freq), checked


def _output(fc: pd.DataFrame, freq: str) -> pd.DataFrame:
    out = fc.reset_index(drop=True)
    out.insert(0, "ds", ser.format_ds(pd.DatetimeIndex(fc.index), freq))
    return out


def read_staffing_csv(path: Path) -> pd.DataFrame:
    """A staffing input: columns interval_start and calls (optional aht_s)."""
    frame = read_csv(path)
    missing = [c for c in ("interval_start", "calls") if c not in frame.columns]
    if missing:
        raise DemandInputError(f"{path} lacks column(s) {', '.join(missing)}; expected interval_start, calls "
                               "and optionally aht_s")
    return frame


def staff_frame(frame: pd.DataFrame, target: Target, interval_s: float | None = None,
                default_aht: float | None = None, calls_col: str = "calls") -> pd.DataFrame:
    """Staff every row; the output keeps the input columns and adds the staffing columns."""
    if interval_s is None:
        interval_s = _infer_interval(frame)
    if interval_s <= 0:
        raise DemandInputError("interval length must be positive, e.g. --interval-s 1800")
    calls = pd.to_numeric(frame[calls_col], errors="coerce")
    if calls.isna().any():
        raise DemandInputError(f"{calls_col} is missing or not a number at row {int(calls.isna().values.argmax()) + 2}")
    if (calls < 0).any():
        raise DemandInputError(f"negative {calls_col} at row {int((calls < 0).values.argmax()) + 2}: counts must be zero or more")
    aht = _aht_column(frame, default_aht)
    try:
        rows = staff_curve([float(c) for c in calls], interval_s, target, list(aht))
    except ValueError as exc:
        raise DemandInputError(str(exc)) from exc
    extra = pd.DataFrame(rows, index=frame.index).drop(columns=["offered_load_erlangs"], errors="ignore")
    extra = extra.map(lambda v: v if not (isinstance(v, float) and math.isinf(v)) else float("nan"))
    return pd.concat([frame, extra], axis=1)


def _aht_column(frame: pd.DataFrame, default_aht: float | None) -> list[float]:
    if "aht_s" in frame.columns:
        aht = pd.to_numeric(frame["aht_s"], errors="coerce")
        if default_aht is not None:
            aht = aht.fillna(default_aht)
    elif default_aht is not None:
        aht = pd.Series(default_aht, index=frame.index, dtype=float)
    else:
        raise DemandInputError("no handling time: give --aht-s or an aht_s column")
    if aht.isna().any():
        raise DemandInputError(f"aht_s is empty at row {int(aht.isna().values.argmax()) + 2}; fill it or give --aht-s")
    if (aht <= 0).any():
        raise DemandInputError(f"aht_s is zero or negative at row {int((aht <= 0).values.argmax()) + 2}: "
                               "a handling time must be positive seconds per call")
    return [float(a) for a in aht]


def _infer_interval(frame: pd.DataFrame) -> float:
    try:
        times = pd.to_datetime(frame["interval_start"], format="mixed")
    except (ValueError, TypeError):
        raise DemandInputError("interval_start is not a time; give ISO times or --interval-s") from None
    steps = times.sort_values().diff().dropna().unique()
    if len(steps) != 1:
        raise DemandInputError("cannot tell the interval length from interval_start; give --interval-s")
    return float(pd.Timedelta(steps[0]).total_seconds())


def staff_forecast(fc: pd.DataFrame, interval_s: float, target: Target, level: int | None = None) -> pd.DataFrame:
    """Staff a forecast: to its mean, or to the upper bound of its `level`% interval (a risk level)."""
    col = "yhat" if level is None else f"yhat_hi_{level}"
    if col not in fc.columns:
        raise DemandInputError(f"the forecast has no {level}% interval; forecast with --level {level}")
    frame = pd.DataFrame({"interval_start": fc["ds"], "calls": fc[col].clip(lower=0)})
    return staff_frame(frame, target, interval_s=interval_s, default_aht=target.aht_s)


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write a CSV through a temporary file, so a failure leaves nothing half-written."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.exists():
        raise DemandInputError(f"output folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=".bluelamp-", suffix=".csv", dir=directory)
    try:
        with os.fdopen(fd, "w", newline="") as fh:
            frame.to_csv(fh, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def staffing_json(calls: float, interval_s: float, target: Target) -> dict[str, Any]:
    """One interval's staffing as JSON-ready data (infinite values as None)."""
    out = staff_interval(calls, interval_s, target)
    return {k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in out.items()}


def roster_frame(frame: pd.DataFrame, people: int, max_nights: int = 4, max_shifts_per_week: int = 5,
                 time_limit_s: float = 25.0, progress: Callable[[str], None] | None = None,
                 ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Build a rota from a staffing frame; returns (assignments, cover by slot, summary)."""
    from bluelamp.demand import rota

    col = next((c for c in ("scheduled_agents", "agents", "required") if c in frame.columns), None)
    if col is None or "interval_start" not in frame.columns:
        raise DemandInputError("the staffing CSV needs interval_start and scheduled_agents (or agents)")
    if people < 1:
        raise DemandInputError("--people must be at least 1")
    step = _infer_interval(frame)
    need = pd.to_numeric(frame[col], errors="coerce").fillna(0).clip(lower=0).to_list()
    if step == 3600:
        req = rota.requirement_from_hourly(need)
    elif step == 1800:
        req = [int(math.ceil(v)) for v in need]
    else:
        raise DemandInputError("a rota needs half-hourly or hourly intervals")
    if len(req) % rota.SLOTS_PER_DAY:
        raise DemandInputError("the staffing CSV must cover whole days (1 to 28)")
    staff = [rota.Person(f"staff_{i + 1:03d}") for i in range(people)]
    result = rota.build_rota(req, staff, max_nights=max_nights, max_shifts_per_week=max_shifts_per_week,
                             time_limit_s=time_limit_s, progress=progress)
    rows = [{"person": name, "day": s.day + 1, "start": s.label().split()[2], "hours": s.hours,
             "night": s.is_night} for name, shifts in result.assignments.items() for s in shifts]
    cover = pd.DataFrame({"slot": range(len(req)), "required": result.required, "cover": result.cover,
                          "shortfall": result.shortfall, "over_cover": result.over_cover})
    summary = {"shifts": len(result.shifts), "assigned": len(rows), "unfilled": len(result.unfilled),
               "shortfall_slot_hours": float(result.shortfall.sum() / 2),
               "over_cover_slot_hours": float(result.over_cover.sum() / 2), "status": result.status,
               "unfilled_reasons": result.unfilled_reasons(staff)}
    return pd.DataFrame(rows, columns=["person", "day", "start", "hours", "night"]), cover, summary


def roster_csv(input: Path, people: int, output: Path, max_nights: int, max_shifts_per_week: int,
               time_limit_s: float, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """`bluelamp roster`: assignments to `output`, cover by slot beside it (`*.cover.csv`)."""
    assignments, cover, summary = roster_frame(read_csv(input), people, max_nights, max_shifts_per_week,
                                               time_limit_s, progress)
    write_csv_atomic(assignments, output)
    cover_path = Path(output).with_suffix(".cover.csv")
    write_csv_atomic(cover, cover_path)
    summary["cover_file"] = str(cover_path)
    return summary


def simulate_csv(input: Path, interval_s: float, aht_s: float, target_s: float, patience_s: float | None,
                 handlers_col: str, compare_col: str | None, seed: int) -> dict[str, Any]:
    """`bluelamp simulate`: simulated answer times for one or two handler plans."""
    from bluelamp.demand import simulate as sim

    frame = read_csv(input)
    for col in ("calls", handlers_col, *( [compare_col] if compare_col else [])):
        if col not in frame.columns:
            raise DemandInputError(f"column {col!r} not found; the file has: {', '.join(frame.columns)}")
    calls = pd.to_numeric(frame["calls"], errors="coerce")
    if calls.isna().any() or (calls < 0).any():
        raise DemandInputError("calls must be a count of zero or more in every row")

    def plan(col: str) -> sim.CallPlan:
        return sim.CallPlan(calls.to_list(), pd.to_numeric(frame[col], errors="coerce").fillna(0).astype(int).to_list(),
                            interval_s, aht_s, target_s, patience_s)

    if compare_col:
        return sim.compare(plan(handlers_col), plan(compare_col), seed=seed)
    one = plan(handlers_col)
    runs: list[Any] = []

    def keep(p: Any, s: int) -> Any:
        runs.append(sim.simulate_calls(p, s))
        return runs[-1]

    out = sim.compare_plans(keep, {"plan": one}, sim.CALL_MEASURES, seed=seed)["plan"]
    if not patience_s:
        out["abandoned"], out["abandoned_ci"] = None, [None, None]
    out["calls"] = int(round(sum(r.calls for r in runs) / len(runs)))
    out["events"] = int(sum(r.events for r in runs))
    return out


def simulate_response_csv(input: Path, interval_s: float, incidents_col: str, units_col: str,
                          compare_col: str | None, grade_mix: tuple[float, float, float], urban_share: float,
                          scene_s: float, seed: int) -> dict[str, Any]:
    """`bluelamp simulate --response`: attendance for one units plan, or two side by side (common random numbers,
    replications until the compared difference is known to half a point; every figure with a 95% interval)."""
    from bluelamp.demand import simulate as sim

    frame = read_csv(input)
    for col in (incidents_col, units_col, *([compare_col] if compare_col else [])):
        if col not in frame.columns:
            raise DemandInputError(f"column {col!r} not found; the file has: {', '.join(map(str, frame.columns))}")
    incidents = pd.to_numeric(frame[incidents_col], errors="coerce")
    if incidents.isna().any() or (incidents < 0).any():
        raise DemandInputError(f"{incidents_col} must be a count of zero or more in every row")

    def plan(col: str) -> sim.ResponsePlan:
        units = pd.to_numeric(frame[col], errors="coerce")
        if units.isna().any() or (units < 0).any():
            raise DemandInputError(f"{col} must be a number of units, zero or more, in every row")
        return sim.ResponsePlan(incidents.to_list(), units.astype(int).to_list(), interval_s, grade_mix,
                                urban_share, scene_s=scene_s)

    if compare_col:
        out = sim.compare_response({"plan_a": plan(units_col), "plan_b": plan(compare_col)}, seed=seed)
        out["difference"] = out["difference"]["plan_b"]
        return out
    return dict(sim.compare_response({"plan": plan(units_col)}, seed=seed)["plan"])
