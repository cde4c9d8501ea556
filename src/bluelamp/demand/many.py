"""Many series at once: every series of a long frame forecast in process or on Dask through Fugue.

The frame is long (one row per series and step: `id`, time, count). Each series is checked and
forecast by exactly the single-series model (`forecast.forecast`), so the numbers are the same on
every engine; only where the work runs changes:

- `local`: one series after another in this process.
- `dask`: the frame is partitioned by series and sent to a Dask cluster with `fugue.transform` (the
  Fugue layer statsforecast uses for its own distributed backend). `scheduler` is the address of a
  running cluster (`tcp://host:8786`); without one a local cluster is started for the call.
  Spark works the same way: pass a SparkSession as the Fugue engine (see docs/demand.md).

The output schema is `double` on purpose: statsforecast's own Fugue backend declares its forecast
columns float32, which is why its Dask output differed from its in-process output (docs/demand.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from bluelamp.demand import series as ser
from bluelamp.demand.forecast import DEFAULT_LEVELS, forecast
from bluelamp.demand.series import DemandInputError

ENGINES = ("local", "dask")
UID, DS, Y = "unique_id", "ds", "y"     # the long-format names statsforecast and Fugue use


def long_frame(frame: pd.DataFrame, id_col: str, time_col: str, value_col: str) -> pd.DataFrame:
    """The input's three columns as `unique_id, ds, y` (ids as text), checked for presence and type."""
    for col in (id_col, time_col, value_col):
        if col not in frame.columns:
            raise DemandInputError(f"column {col!r} not found; the file has: {', '.join(map(str, frame.columns))}")
    if frame[id_col].isna().any():
        raise DemandInputError(f"{id_col!r} is empty at row {int(frame[id_col].isna().values.argmax()) + 2}: "
                               "every row needs the series it belongs to")
    return pd.DataFrame({UID: frame[id_col].astype(str), DS: frame[time_col], Y: frame[value_col]})


def _one(group: pd.DataFrame, freq: str, horizon: int, levels: Sequence[int]) -> pd.DataFrame:
    uid = str(group[UID].iloc[0])
    try:
        checked = ser.from_frame(group, DS, Y, freq)
        fc = forecast(checked, horizon, levels)
    except DemandInputError as exc:
        raise DemandInputError(f"series {uid!r}: {exc}") from None
    out = fc.reset_index(drop=True)
    out.insert(0, DS, ser.format_ds(pd.DatetimeIndex(fc.index), checked.freq))
    out.insert(0, UID, uid)
    out["filled"] = checked.filled
    return out


def _columns(levels: Sequence[int]) -> list[str]:
    return ["yhat", *[f"yhat_{side}_{lv}" for lv in levels for side in ("lo", "hi")]]


def _schema(levels: Sequence[int]) -> str:
    return ",".join([f"{UID}:str", f"{DS}:str", *[f"{c}:double" for c in _columns(levels)], "filled:long"])


def forecast_many(long: pd.DataFrame, freq: str, horizon: int, levels: Sequence[int] = DEFAULT_LEVELS,
                  engine: str = "local", scheduler: str | None = None, client: Any = None) -> pd.DataFrame:
    """Forecast every series of a long frame (`unique_id, ds, y`); rows sorted by series then time.

    Output columns: `unique_id, ds, yhat, yhat_lo_L, yhat_hi_L, ...` and `filled` (missing steps of that
    series counted as zero). `client` may be a dask.distributed Client to use as it is.
    """
    if engine not in ENGINES:
        raise DemandInputError(f"unknown engine {engine!r}: use local or dask")
    if engine == "local" and scheduler:
        raise DemandInputError("--scheduler needs --engine dask")
    levels = sorted(set(levels))
    if long.empty:
        raise DemandInputError("the file has no rows: give at least a few weeks of counts per series")
    if engine == "local":
        parts = [_one(g, freq, horizon, levels) for _, g in long.groupby(UID, sort=True)]
        out = pd.concat(parts, ignore_index=True)
    else:
        out = _on_dask(long, freq, horizon, levels, scheduler, client)
    out = out.sort_values([UID, DS], kind="stable").reset_index(drop=True)
    ordered: list[str] = [UID, DS, *_columns(levels), "filled"]
    return out[ordered]


def _on_dask(long: pd.DataFrame, freq: str, horizon: int, levels: Sequence[int], scheduler: str | None,
             client: Any) -> pd.DataFrame:
    try:
        from dask.distributed import Client, LocalCluster
        from fugue import transform
    except ImportError as exc:  # pragma: no cover - dask and fugue are dependencies
        raise DemandInputError(f"the dask engine needs dask[distributed] and fugue[dask]: {exc}") from None

    frame = long.assign(ds=long[DS].astype(str))

    def run(group: pd.DataFrame) -> pd.DataFrame:
        return _one(group, freq, horizon, levels)

    own: list[Any] = []
    if client is None:
        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except OSError as exc:
                raise DemandInputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
            own.append(cluster)
        own.insert(0, client)
    try:
        result = transform(frame, run, schema=_schema(levels), partition={"by": UID}, engine=client,
                           as_local=True)
    except DemandInputError:
        raise
    except Exception as exc:
        # A worker's DemandInputError comes back wrapped; keep its message for the analyst.
        text = str(exc)
        if "series " in text:
            raise DemandInputError(text.splitlines()[0]) from None
        raise
    finally:
        for item in own:
            item.close()
    out = pd.DataFrame(result)
    kinds: dict[str, Any] = {UID: object, DS: object, "filled": "int64",
                             **{c: "float64" for c in _columns(levels)}}
    return out.astype(kinds)
