"""Demand JSON routes: forecast, staffing, roster and simulation (analysts and leaders)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bluelamp import cpu
from bluelamp.demand import compute, service
from bluelamp.demand.staffing import Target
from bluelamp.web.auth import require_roles
from bluelamp.web.pools import pooled

router = APIRouter(prefix="/demand", tags=["demand"])

# Bounds on planning inputs, so that every request finishes in seconds (absurd values are a 422).
MAX_SECONDS = 7 * 86_400.0  # an interval, a handling time or a patience of at most a week
MAX_CALLS = 1_000_000.0  # calls in one interval
MAX_ERLANGS = 10_000.0  # offered load of one interval
MAX_SIMULATED_CALLS = 200_000
MAX_REPLICATED_CALLS = 2_000_000   # over all replications of one request
GUARD = [Depends(require_roles("analyst", "leader"))]


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ds: str
    y: float = Field(ge=0)


class ForecastIn(BaseModel):
    """A series of counts to forecast."""

    model_config = ConfigDict(extra="forbid")
    series: list[Point] = Field(min_length=1)
    freq: str = Field(pattern=r"^(30min|H|h|D|W)$")
    horizon: int = Field(ge=1, le=5000)
    levels: list[int] = Field(default=[80, 95], min_length=1)


class StaffingIn(BaseModel):
    """One interval (calls) or many (intervals) to staff."""

    model_config = ConfigDict(extra="forbid")
    calls: float | None = Field(default=None, ge=0, le=MAX_CALLS)
    intervals: list[Annotated[float, Field(ge=0, le=MAX_CALLS)]] | None = Field(default=None, max_length=5000)
    interval_s: float = Field(ge=1, le=MAX_SECONDS)
    aht_s: float = Field(ge=0.1, le=MAX_SECONDS)
    target_answer_s: float = Field(ge=0, le=MAX_SECONDS)
    target_level: float = Field(ge=0, lt=1)
    patience_s: float | None = Field(default=None, ge=0.1, le=MAX_SECONDS)
    shrinkage: str = Field(default="0", pattern=r"^(0(\.\d+)?|\.\d+)$")
    max_occupancy: float | None = Field(default=None, ge=0.05, le=1)  # a cap below 5% is not a plan
    concurrency: int = Field(default=1, ge=1, le=10)

    @model_validator(mode="after")
    def _bounded_load(self) -> StaffingIn:
        # The search for agents grows with the offered load (erlangs); a control room has hundreds.
        peak = max([self.calls or 0.0, *(self.intervals or [])])
        if peak * self.aht_s / self.interval_s / self.concurrency > MAX_ERLANGS:
            raise ValueError(f"calls: the offered load (calls x aht_s / interval_s) is over {MAX_ERLANGS:g} erlangs")
        return self


class RosterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    required: list[Annotated[int, Field(ge=0, le=1000)]] = Field(min_length=48, max_length=28 * 48)
    people: int = Field(ge=1, le=500)
    max_nights: int = Field(default=4, ge=1, le=14)
    max_shifts_per_week: int = Field(default=5, ge=1, le=7)


class SimulateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    calls: list[Annotated[float, Field(ge=0, le=MAX_CALLS)]] = Field(min_length=1, max_length=5000)
    handlers: list[Annotated[int, Field(ge=1, le=5000)]] = Field(min_length=1, max_length=5000)
    compare_handlers: list[Annotated[int, Field(ge=1, le=5000)]] | None = Field(default=None, max_length=5000)
    interval_s: float = Field(default=1800, ge=1, le=MAX_SECONDS)
    aht_s: float = Field(default=180, ge=0.1, le=MAX_SECONDS)
    target_answer_s: float = Field(default=10, ge=0, le=MAX_SECONDS)
    patience_s: float | None = Field(default=None, ge=0.1, le=MAX_SECONDS)

    @model_validator(mode="after")
    def _bounded_work(self) -> SimulateIn:
        # One simulated event per call: bound the total so a request finishes in seconds.
        total = sum(self.calls) * (2 if self.compare_handlers else 1)
        if total > MAX_SIMULATED_CALLS:
            raise ValueError(f"calls: at most {MAX_SIMULATED_CALLS:,} calls in all can be simulated at once")
        return self


def _bad(field: str, exc: Exception) -> HTTPException:
    return HTTPException(422, detail=f"{field}: {exc}")


@router.post("/forecast", dependencies=GUARD)
@pooled("analyst")
def post_forecast(body: ForecastIn) -> dict[str, Any]:
    return _computed(compute.forecast, [p.ds for p in body.series], [p.y for p in body.series], body.freq,
                     body.horizon, sorted(set(body.levels)))


@router.post("/staffing", dependencies=GUARD)
@pooled("analyst")
def post_staffing(body: StaffingIn) -> dict[str, Any]:
    target = Target(body.aht_s, body.target_answer_s, body.target_level, body.patience_s, body.shrinkage,
                    body.max_occupancy, body.concurrency)
    if body.calls is None and body.intervals is None:
        raise HTTPException(422, detail="calls: give calls (one interval) or intervals (a list)")
    try:
        if body.intervals is not None:
            return {"intervals": [service.staffing_json(c, body.interval_s, target) for c in body.intervals]}
        return service.staffing_json(body.calls or 0.0, body.interval_s, target)
    except ValueError as exc:
        raise _bad("intervals", exc) from None


@router.post("/roster", dependencies=GUARD)
@pooled("analyst")
def post_roster(body: RosterIn) -> dict[str, Any]:
    from bluelamp.demand import rota

    if len(body.required) % rota.SLOTS_PER_DAY:
        raise HTTPException(422, detail="required: give whole days of half-hour slots (48 a day)")
    if not any(body.required):
        raise HTTPException(422, detail="required: at least one half-hour slot must need someone")
    return _computed(compute.roster, body.required, body.people, body.max_nights, body.max_shifts_per_week)


@router.post("/simulate", dependencies=GUARD)
@pooled("analyst")
def post_simulate(body: SimulateIn) -> dict[str, Any]:
    if len(body.calls) != len(body.handlers) or (body.compare_handlers and len(body.compare_handlers) != len(body.calls)):
        raise HTTPException(422, detail="handlers: give one value per interval of calls")
    return _computed(compute.simulate, body.model_dump(), MAX_REPLICATED_CALLS)


def _computed(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """fn(*args) in the analyst worker process (bluelamp.cpu); its input errors answer 422."""
    try:
        return cpu.run("analyst", fn, *args)
    except compute.ComputeError as exc:
        raise HTTPException(422, detail=f"{exc.field}: {exc.message}") from None
    except compute.ComputeTimedOut:
        raise HTTPException(503, detail="the planning engine ran out of time (the server is busy); try again shortly",
                            headers={"Retry-After": "30"}) from None


@router.get("/series", dependencies=GUARD)
def get_series(request: Request, channel: str | None = Query(default=None, max_length=16),
               area: str | None = Query(default=None, max_length=64),
               freq: str = Query(default="D", pattern=r"^(H|h|D|W)$"),
               source: str = Query(default="contacts", pattern=r"^(contacts|calls)$")) -> dict[str, Any]:
    """The force's own contacts per day (two years), week, or hour (eight weeks), up to yesterday; with
    `source=calls`, the calls offered on the phone line named by `channel` (demand/calls.py)."""
    from bluelamp.demand import overview

    if source == "calls":
        from bluelamp.demand import calls

        if area:
            raise HTTPException(422, detail="area: phone lines have no area; leave it out with source=calls")
        try:
            with request.app.state.db.unit_of_work(write=False) as session:
                values = calls.offered_history(session, channel or "", freq)
        except service.DemandInputError as exc:
            raise HTTPException(422, detail=f"channel: {exc}") from None
        return _series_json(values, freq, channel, None) | {"source": "calls"}
    with request.app.state.db.engine.connect() as conn:
        values = overview.series(conn, freq, channel or None, area or None)
    return _series_json(values, freq, channel, area) | {"source": "contacts"}


def _series_json(values: Any, freq: str, channel: str | None, area: str | None) -> dict[str, Any]:
    step = "h" if freq in ("H", "h") else freq
    labels = ([t.isoformat(sep=" ") for t in values.index] if step == "h"
              else [t.strftime("%Y-%m-%d") for t in values.index])
    return {"freq": step, "channel": channel or None, "area": area or None, "total": float(values.sum()),
            "series": [{"ds": d, "y": float(v)} for d, v in zip(labels, values.tolist(), strict=True)]}
