"""Demand commands: `bluelamp forecast`, `staffing`, `roster` and `simulate` (no database needed)."""

from __future__ import annotations

import json
import math
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

import typer

from bluelamp.cliutil import fail


def register(app: typer.Typer) -> None:
    """Add the demand commands to the main `bluelamp` app."""
    app.command("forecast", help="Forecast a series of counts with prediction intervals.",
                context_settings={"allow_extra_args": True})(forecast_cmd)
    app.command("staffing", help="Agents needed per interval (Erlang C, or Erlang A with --patience-s).")(
        staffing_cmd)
    app.command("roster", help="Build a rota (shifts, then named staff) from a staffing curve.")(roster_cmd)
    app.command("simulate", help="Simulate call answering and response for a plan.")(simulate_cmd)


def progress_enabled() -> bool:
    """Progress bars go to stderr, and only when it is a terminal (never into a pipe or a log)."""
    return sys.stderr.isatty()


@contextmanager
def stages(names: Sequence[str], desc: str) -> Iterator[Any]:
    """A progress bar on stderr over named stages; it ticks while a long stage runs. Yields `done(name)`."""
    from tqdm import tqdm

    bar = tqdm(total=len(names), desc=desc, unit="stage", file=sys.stderr, disable=not progress_enabled(),
               leave=False, bar_format="{desc}: {n_fmt}/{total_fmt} stages {postfix} [{elapsed}]")
    bar.set_postfix_str(f"{names[0]}...")
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.5):
            bar.refresh()

    ticker = threading.Thread(target=tick, daemon=True)
    if not bar.disable:
        ticker.start()

    def done(name: str) -> None:
        bar.update(1)
        nxt = list(names).index(name) + 1 if name in names else len(names)
        bar.set_postfix_str(f"{names[nxt]}..." if nxt < len(names) else "done")

    try:
        yield done
    finally:
        stop.set()
        if ticker.is_alive():
            ticker.join(timeout=1)
        bar.close()


def _fraction(name: str, text: str | None, upper_open: bool = False) -> Fraction | None:
    if text is None:
        return None
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        fail(f"{name} must be a fraction such as 0.8, got {text!r}")
    if value < 0 or value > 1 or (upper_open and value == 1):
        fail(f"{name} must be a fraction between 0 and {'1 (exclusive)' if upper_open else '1'}, got {text}")
    return value


def staffing_cmd(
    calls: float | None = typer.Option(None, "--calls", help="calls arriving in the interval"),
    interval_s: float | None = typer.Option(None, "--interval-s", help="interval length in seconds"),
    aht_s: float | None = typer.Option(None, "--aht-s", help="average handling time in seconds"),
    target_answer_s: float = typer.Option(..., "--target-answer-s", help="answer within this many seconds"),
    target_level: str = typer.Option(..., "--target-level", help="share to answer in time, e.g. 0.9"),
    patience_s: float | None = typer.Option(None, "--patience-s", help="mean patience: switches to Erlang A"),
    shrinkage: str = typer.Option("0", "--shrinkage", help="share of paid time not available, e.g. 0.3"),
    max_occupancy: str | None = typer.Option(None, "--max-occupancy", help="occupancy cap, e.g. 0.85"),
    concurrency: int = typer.Option(1, "--concurrency", help="concurrent sessions per agent (chat)"),
    input: Path | None = typer.Option(None, "--input", help="CSV with interval_start, calls[, aht_s]"),
    output: Path | None = typer.Option(None, "--output", help="CSV to write (with --input)"),
) -> None:
    """Print the staffing of one interval as JSON, or staff every row of --input into --output."""
    from bluelamp.demand.staffing import Target

    level = _fraction("--target-level", target_level)
    shrink = _fraction("--shrinkage", shrinkage, upper_open=True)
    occ = _fraction("--max-occupancy", max_occupancy)
    if occ is not None and occ == 0:
        fail("--max-occupancy must be above 0, e.g. 0.85")
    if patience_s is not None and patience_s <= 0:
        fail("--patience-s must be positive (mean seconds a caller waits before hanging up)")
    if target_answer_s < 0:
        fail("--target-answer-s must not be negative")
    if concurrency < 1:
        fail("--concurrency must be at least 1")
    if aht_s is not None and aht_s <= 0:
        fail("--aht-s must be positive: a zero handling time needs no staff; give the mean seconds per call")
    assert level is not None and shrink is not None
    target = Target(aht_s=aht_s or 1.0, target_answer_s=target_answer_s, target_level=float(level),
                    patience_s=patience_s, shrinkage=shrink,
                    max_occupancy=float(occ) if occ is not None else None, concurrency=concurrency)
    if input is not None:
        _staffing_csv(input, output, interval_s, aht_s, target)
        return
    if output is not None:
        fail("--output needs --input (a CSV with interval_start, calls)")
    if calls is None or interval_s is None or aht_s is None:
        fail("give --calls, --interval-s and --aht-s for one interval, or --input CSV --output CSV")
    _staffing_one(calls, interval_s, target)


def _staffing_one(calls: float, interval_s: float, target: Any) -> None:
    from bluelamp.demand.staffing import staff_interval

    if calls < 0:
        fail("--calls must not be negative")
    if interval_s <= 0:
        fail("--interval-s must be positive, e.g. 1800 for half an hour")
    try:
        result = staff_interval(calls, interval_s, target)
    except ValueError as exc:
        fail(str(exc))
    print(json.dumps(_json_safe(result)))


def _staffing_csv(input: Path, output: Path | None, interval_s: float | None, aht_s: float | None,
                  target: Any) -> None:
    from bluelamp.demand import service

    if output is None:
        fail("--input needs --output CSV")
    try:
        frame = service.read_staffing_csv(input)
        result = service.staff_frame(frame, target, interval_s=interval_s, default_aht=aht_s)
    except service.DemandInputError as exc:
        fail(str(exc))
    service.write_csv_atomic(result, output)
    print(f"staffed {len(result)} intervals into {output}", file=sys.stderr)


def _json_safe(value: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in value.items()}


def forecast_cmd(
    ctx: typer.Context,
    input: Path = typer.Option(..., "--input", help="CSV holding the series"),
    time_col: str = typer.Option(..., "--time-col", help="column with the interval start"),
    value_col: str = typer.Option(..., "--value-col", help="column with the count"),
    freq: str = typer.Option(..., "--freq", help="30min, H (or h), D or W"),
    horizon: int = typer.Option(..., "--horizon", help="steps to forecast"),
    output: Path = typer.Option(..., "--output", help="CSV to write: ds, yhat, yhat_lo_L, yhat_hi_L"),
    level: list[int] | None = typer.Option(None, "--level", help="interval levels in percent (default 80 95)"),
    id_col: str | None = typer.Option(None, "--id-col", help="column naming the series: forecast every one"),
    engine: str = typer.Option("local", "--engine", help="with --id-col: local (this process) or dask"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786"),
) -> None:
    """Forecast a series of counts; missing steps inside the range count as zero (reported)."""
    from bluelamp.demand import service

    levels = _levels(level, ctx.args)
    if horizon < 1:
        fail("--horizon must be at least 1 step")
    if engine not in ("local", "dask"):
        fail(f"--engine must be local or dask, got {engine!r}")
    if scheduler and engine != "dask":
        fail("--scheduler needs --engine dask")
    if id_col is not None:
        _forecast_many(input, id_col, time_col, value_col, freq, horizon, levels, engine, scheduler, output)
        return
    if engine != "local":
        fail("--engine dask needs --id-col (many series); one series runs in process")
    with stages(["read", "forecast", "write"], "forecast") as done:
        try:
            frame = service.read_csv(input)
            done("read")
            out, checked = service.forecast_csv(frame, time_col, value_col, freq, horizon, levels)
            done("forecast")
        except service.DemandInputError as exc:
            fail(str(exc))
        service.write_csv_atomic(out, output)
        done("write")
    if checked.filled:
        print(f"bluelamp: note: {checked.filled} missing timestamp(s) inside the range counted as zero",
              file=sys.stderr)


def _forecast_many(input: Path, id_col: str, time_col: str, value_col: str, freq: str, horizon: int,
                   levels: list[int], engine: str, scheduler: str | None, output: Path) -> None:
    from bluelamp.demand import many, service

    with stages(["read", "forecast", "write"], "forecast") as done:
        try:
            frame = service.read_csv(input)
            long = many.long_frame(frame, id_col, time_col, value_col)
            done("read")
            out = many.forecast_many(long, freq, horizon, levels, engine=engine, scheduler=scheduler)
            done("forecast")
        except service.DemandInputError as exc:
            fail(str(exc))
        filled = int(out.groupby(many.UID)["filled"].first().sum())
        out = out.drop(columns="filled").rename(columns={many.UID: id_col})
        service.write_csv_atomic(out, output)
        done("write")
    if filled:
        print(f"bluelamp: note: {filled} missing timestamp(s) inside the ranges counted as zero", file=sys.stderr)


def _levels(given: list[int] | None, extra: list[str]) -> list[int]:
    """`--level 80 95` (the contract's form) as well as `--level 80 --level 95`."""
    levels = list(given or [])
    for token in extra:
        if not levels or not token.lstrip("-").isdigit():
            fail(f"unexpected argument {token!r}")
        levels.append(int(token))
    levels = levels or [80, 95]
    for lv in levels:
        if not 0 < lv < 100:
            fail(f"--level {lv} must be a percentage between 1 and 99, e.g. 80 or 95")
    return sorted(set(levels))



def roster_cmd(
    input: Path = typer.Option(..., "--input", help="staffing CSV: interval_start and scheduled_agents (or agents)"),
    people: int = typer.Option(..., "--people", help="number of staff to roster"),
    output: Path = typer.Option(..., "--output", help="CSV of assignments: person, day, start, hours"),
    max_nights: int = typer.Option(4, "--max-nights", help="most night shifts in a row"),
    max_shifts_per_week: int = typer.Option(5, "--max-shifts-per-week", help="shifts in each 7 days"),
    time_limit_s: float = typer.Option(25.0, "--time-limit-s", help="solver time per stage"),
) -> None:
    """Pick 8/10/12 h shifts to cover the curve, then assign named staff under the rest rules."""
    from bluelamp.demand import service

    with stages(["shifts", "staff"], "roster") as done:
        try:
            summary = service.roster_csv(input, people, output, max_nights, max_shifts_per_week, time_limit_s,
                                         progress=done)
        except (service.DemandInputError, ValueError, RuntimeError) as exc:
            fail(str(exc))
    print(json.dumps(summary))


def simulate_cmd(
    input: Path = typer.Option(..., "--input", help="CSV with calls and handlers per interval"),
    interval_s: float | None = typer.Option(None, "--interval-s",
                                            help="interval length in seconds (1800, or 3600 with --response)"),
    aht_s: float = typer.Option(180, "--aht-s", help="average handling time in seconds"),
    target_answer_s: float = typer.Option(10, "--target-answer-s", help="answer within this many seconds"),
    patience_s: float | None = typer.Option(None, "--patience-s", help="mean patience (abandonment)"),
    handlers_col: str = typer.Option("handlers", "--handlers-col", help="column with handlers on duty"),
    compare_col: str | None = typer.Option(None, "--compare-col", help="a second plan's handlers (or units) column"),
    seed: int = typer.Option(1, "--seed"),
    response: bool = typer.Option(False, "--response", help="simulate response: incidents and units per interval"),
    incidents_col: str = typer.Option("incidents", "--incidents-col", help="with --response: incidents column"),
    units_col: str = typer.Option("units", "--units-col", help="with --response: units on duty column"),
    urban_share: float = typer.Option(0.7, "--urban-share", help="with --response: share of urban incidents"),
    grade_mix: str = typer.Option("0.15,0.35,0.50", "--grade-mix", help="with --response: grades 1,2,3 shares"),
    scene_s: float = typer.Option(2700, "--scene-s", help="with --response: mean time at scene in seconds"),
) -> None:
    """Simulate call answering for a rota, or response attendance with --response (grade 1 within
    15 min urban / 20 min rural, grade 2 within 60 min); --compare-col runs a second plan side by side."""
    from bluelamp.demand import service

    interval_s = interval_s if interval_s is not None else (3600.0 if response else 1800.0)
    if aht_s <= 0 or interval_s <= 0:
        fail("--aht-s and --interval-s must be positive")
    try:
        if response:
            mix = _grade_mix(grade_mix)
            if not 0 <= urban_share <= 1:
                fail("--urban-share must be a fraction between 0 and 1")
            if scene_s <= 0:
                fail("--scene-s must be positive seconds")
            result = service.simulate_response_csv(input, interval_s, incidents_col, units_col, compare_col, mix, urban_share,
                                                   scene_s, seed)
        else:
            result = service.simulate_csv(input, interval_s, aht_s, target_answer_s, patience_s, handlers_col,
                                          compare_col, seed)
    except service.DemandInputError as exc:
        fail(str(exc))
    print(json.dumps(result))


def _grade_mix(text: str) -> tuple[float, float, float]:
    try:
        parts = [float(p) for p in text.split(",")]
    except ValueError:
        fail(f"--grade-mix must be three shares such as 0.15,0.35,0.50, got {text!r}")
    if len(parts) != 3 or any(p < 0 for p in parts) or sum(parts) <= 0:
        fail(f"--grade-mix must be three shares (grades 1, 2, 3) that are not negative, got {text!r}")
    return parts[0], parts[1], parts[2]
