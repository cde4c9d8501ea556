"""The Demand page: forecast with intervals against actuals, and the staffing curve (plotly, offline)."""

from __future__ import annotations

import io
import json
from functools import lru_cache

import pandas as pd
from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from bluelamp import cpu
from bluelamp.demand import datasets, service
from bluelamp.demand.staffing import CHANNEL_TARGETS
from bluelamp.web.auth import page_roles
from bluelamp.web.pools import pool
from bluelamp.web.templating import render

router = APIRouter(tags=["demand pages"])
GUARD = [Depends(page_roles("analyst", "leader"))]


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


@router.get("/demand/plotly.js", dependencies=GUARD)
def plotly_js() -> Response:
    """plotly's JavaScript from the installed package: nothing is fetched from the internet."""
    return Response(_plotly_js(), media_type="application/javascript",
                    headers={"Cache-Control": "private, max-age=86400"})


@router.get("/demand", dependencies=GUARD, response_class=HTMLResponse)
def demand_page(request: Request) -> HTMLResponse:
    """The force's own history from the database: forecasts by channel, staffing, rota, simulations.

    With too little history (or none) the page says so and shows an example series instead.
    """
    from bluelamp.demand import overview

    db = getattr(request.app.state, "db", None)
    try:
        if db is None:
            raise service.DemandInputError("no database: showing an example series")
        with db.engine.connect() as conn:
            data = overview.overview(conn)
    except service.DemandInputError as exc:
        ctx = _context(datasets.synthetic_hourly(), "h", 48, None)
        return render(request, "demand/index.html", ctx | {"note": str(exc), "example": True})
    return render(request, "demand/index.html", {"force_json": json.dumps(data), "force": data,
                                                 "chart_json": None})


@router.post("/demand", dependencies=GUARD, response_class=HTMLResponse)
async def demand_upload(request: Request, file: UploadFile, freq: str = "h", horizon: int = 48) -> HTMLResponse:
    """Forecast an uploaded CSV (first column time, second column count)."""
    raw = await file.read()
    try:
        # parsed and forecast in the analyst worker process (bluelamp.cpu), never on the event loop
        ctx = await pool("analyst").run(lambda: cpu.run("analyst", upload_context, raw, freq, horizon))
    except (service.DemandInputError, ValueError) as exc:
        return render(request, "demand/index.html", {"error": str(exc)}, status_code=422)
    return render(request, "demand/index.html", ctx)


def upload_context(raw: bytes, freq: str, horizon: int) -> dict[str, object]:
    frame = pd.read_csv(io.BytesIO(raw))
    if frame.shape[1] < 2:
        raise service.DemandInputError("the CSV needs a time column and a count column")
    values = pd.Series(pd.to_numeric(frame.iloc[:, 1], errors="coerce").to_numpy(),
                       index=pd.to_datetime(frame.iloc[:, 0], format="mixed"))
    return _context(values, freq, horizon, None)


def _context(values: pd.Series, freq: str, horizon: int, error: str | None) -> dict[str, object]:
    out, checked = service.forecast_series(values, freq, horizon)
    recent = checked.values.iloc[-7 * 24:]
    chart = {
        "actual": {"x": [str(t) for t in recent.index], "y": recent.tolist()},
        "forecast": {k: out[k].tolist() for k in out.columns if k != "ds"} | {"x": out["ds"].tolist()},
    }
    step = 3600 if freq in ("h", "H") else 1800 if freq == "30min" else 86400
    staffed = service.staff_forecast(out, step, CHANNEL_TARGETS["999"], level=80) if step <= 3600 else None
    if staffed is not None:
        chart["staffing"] = {"x": out["ds"].tolist(), "agents": staffed["agents"].tolist(),
                             "scheduled": staffed["scheduled_agents"].tolist()}
    return {"chart_json": json.dumps(chart), "filled": checked.filled, "horizon": horizon, "error": error,
            "rows": out.head(48).to_dict(orient="records")}
