"""The analyst routes' heavy work as plain functions over plain data, run in a worker process.

The routes (demand/api.py, demand/pages.py) validate their input, then hand these functions to the
analyst process pool of `bluelamp.cpu` (lower OS priority, never on the request threads or the
server's GIL). Arguments and results are plain data, so they cross the process boundary; bad input
found here comes back as `ComputeError(field, message)`, which the route answers with a 422.
"""

from __future__ import annotations

from typing import Any


class ComputeError(ValueError):
    """Input the computation itself refused: the field and what is wrong with it (picklable)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.field, self.message = field, message


class ComputeTimedOut(RuntimeError):
    """The work did not finish within its time limit (a busy machine): try again later (picklable)."""


def forecast(ds: list[str], y: list[float], freq: str, horizon: int, levels: list[int]) -> dict[str, Any]:
    import pandas as pd

    from bluelamp.demand import service

    try:
        values = pd.Series(y, index=pd.to_datetime(ds, format="mixed"))
        out, checked = service.forecast_series(values, freq, horizon, levels)
    except (service.DemandInputError, ValueError) as exc:
        raise ComputeError("series", str(exc)) from None
    return {"filled": checked.filled, "forecast": out.to_dict(orient="records")}


def roster(required: list[int], people: int, max_nights: int, max_shifts_per_week: int) -> dict[str, Any]:
    from bluelamp.demand import rota

    staff = [rota.Person(f"staff_{i + 1:03d}") for i in range(people)]
    try:
        result = rota.build_rota(required, staff, max_nights=max_nights, max_shifts_per_week=max_shifts_per_week,
                                 time_limit_s=20, workers=1)  # one core: the other stays for recording contacts
    except RuntimeError as exc:  # CP-SAT's time limit ran out before any rota was found (UNKNOWN)
        raise ComputeTimedOut(str(exc)) from None
    return {"status": result.status, "unfilled": len(result.unfilled),
            "assignments": {k: [s.label() for s in v] for k, v in result.assignments.items()},
            "cover": result.cover.tolist(), "shortfall": result.shortfall.tolist(),
            "over_cover": result.over_cover.tolist()}


def simulate(body: dict[str, Any], max_replicated_calls: int) -> dict[str, Any]:
    from bluelamp.demand import simulate as sim

    args = (body["calls"], body["handlers"], body["interval_s"], body["aht_s"], body["target_answer_s"],
            body["patience_s"])
    plan = sim.CallPlan(*args)
    # Replications until the figures are known to half a point, within a budget of simulated calls.
    per_run = max(sum(body["calls"]) * (2 if body["compare_handlers"] else 1), 1.0)
    most = int(min(sim.MAX_REPLICATIONS, max(2, max_replicated_calls // per_run)))
    options: dict[str, Any] = {"max_replications": most, "min_replications": min(sim.MIN_REPLICATIONS, most)}
    if body["compare_handlers"]:
        other = sim.CallPlan(body["calls"], body["compare_handlers"], *args[2:])
        return sim.compare(plan, other, **options)
    out = sim.summarise_calls(plan, **options)
    if not body["patience_s"]:
        out["abandoned"], out["abandoned_ci"] = None, [None, None]
    out["calls"] = int(round(sum(body["calls"])))
    return out
