"""Reconciliation: coherent sums, the textbook projections, and MinT's gain on correlated errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluelamp.demand import reconcile as rc

AREAS = ["A", "B", "C"]
CHANNELS = ["999", "101"]
BOTTOM = [(a, c) for a in AREAS for c in CHANNELS]


def test_the_grouped_hierarchy_has_force_channels_areas_then_bottom() -> None:
    h = rc.grouped(BOTTOM)
    assert h.keys[:6] == [("*", "*"), ("*", "101"), ("*", "999"), ("A", "*"), ("B", "*"), ("C", "*")]
    assert h.bottom == BOTTOM and h.S.shape == (12, 6)
    assert h.S[0].tolist() == [1] * 6
    assert h.S[h.index(("*", "999"))].tolist() == [1, 0, 1, 0, 1, 0]
    assert h.S[h.index(("B", "*"))].tolist() == [0, 0, 1, 1, 0, 0]
    assert rc.label(("*", "*")) == "force" and rc.label(("B", "999")) == "B / 999"


def test_force_and_channels_only_when_there_is_one_area() -> None:
    h = rc.grouped([("*", c) for c in ("999", "101", "chat", "online")])
    assert h.keys[0] == ("*", "*") and h.S.shape == (5, 4)


@pytest.mark.parametrize("method", ["bu", "ols", "wls_struct", "wls_var", "mint_shrink"])
def test_every_method_adds_up_and_leaves_coherent_forecasts_alone(method: str) -> None:
    rng = np.random.default_rng(3)
    h = rc.grouped(BOTTOM)
    residuals = rng.normal(size=(12, 60))
    base = rng.uniform(5, 50, size=(12, 7))
    rec = rc.reconcile(base, h, method, residuals=residuals, nonnegative=False)
    np.testing.assert_allclose(h.S @ rec[-6:], rec, atol=1e-9)
    coherent = h.S @ rng.uniform(5, 50, size=(6, 7))
    np.testing.assert_allclose(rc.reconcile(coherent, h, method, residuals=residuals), coherent, atol=1e-8)


def test_bottom_up_and_ols_match_their_closed_forms() -> None:
    h = rc.grouped([("*", "a"), ("*", "b")])          # total, a, b
    base = np.array([[10.0], [4.0], [4.0]])           # the parts fall 2 short of the total
    np.testing.assert_allclose(rc.reconcile(base, h, "bu")[:, 0], [8, 4, 4])
    # OLS: (S'S)^-1 S' spreads the gap evenly over the three series: a = b = 14/3, total = 28/3.
    np.testing.assert_allclose(rc.reconcile(base, h, "ols")[:, 0], [28 / 3, 14 / 3, 14 / 3])


def test_wls_var_trusts_the_series_with_the_narrow_interval() -> None:
    h = rc.grouped([("*", "a"), ("*", "b")])
    base = np.array([[10.0], [4.0], [4.0]])
    rec = rc.reconcile(base, h, "wls_var", variances=np.array([[1e-6], [1.0], [1.0]]))
    assert rec[0, 0] == pytest.approx(10.0, abs=1e-4) and rec[1, 0] == pytest.approx(5.0, abs=1e-4)


def test_shrinkage_is_between_zero_and_one_and_keeps_the_diagonal() -> None:
    rng = np.random.default_rng(0)
    common = rng.normal(size=200)
    res = np.vstack([common + 0.3 * rng.normal(size=200) for _ in range(4)])
    w, lam = rc.shrink_covariance(res)
    cov = np.cov(res)  # the sample covariance (centred), as hierarchicalforecast uses
    assert 0 <= lam < 0.2  # strongly correlated, plenty of data: little shrinkage
    np.testing.assert_allclose(np.diag(w), np.diag(cov))
    _, lam_noise = rc.shrink_covariance(rng.normal(size=(4, 10)))
    assert lam_noise > lam


def test_mint_beats_the_base_forecasts_when_errors_are_correlated() -> None:
    """Bottom series whose base errors share a common shock: MinT(shrink) cuts the squared error."""
    rng = np.random.default_rng(11)
    h = rc.grouped(BOTTOM)
    truth_b = rng.uniform(20, 60, size=(6, 400))
    truth = h.S @ truth_b

    def errors(t: int) -> np.ndarray:
        shock = rng.normal(0, 3, size=t)
        bottom = shock + rng.normal(0, 2, size=(6, t))
        return np.vstack([h.S[:6] @ bottom + rng.normal(0, 4, size=(6, t)), bottom])

    residuals = errors(300)
    base = truth + errors(400)
    mse = {m: float(((rc.reconcile(base, h, m, residuals=residuals, nonnegative=False) - truth) ** 2).mean())
           for m in ("mint_shrink", "ols", "bu")}
    mse["base"] = float(((base - truth) ** 2).mean())
    assert mse["mint_shrink"] < mse["base"] and mse["mint_shrink"] < mse["bu"]
    assert mse["mint_shrink"] <= mse["ols"] * 1.02


def test_counts_stay_non_negative_and_coherent() -> None:
    h = rc.grouped([("*", "a"), ("*", "b")])
    rec = rc.reconcile(np.array([[1.0], [-3.0], [2.0]]), h, "ols")
    assert (rec >= 0).all() and rec[0, 0] == pytest.approx(rec[1, 0] + rec[2, 0])


def test_frames_move_their_intervals_with_the_mean() -> None:
    h = rc.grouped([("*", "a"), ("*", "b")])
    idx = pd.date_range("2026-01-01", periods=3, freq="h")

    def frame(mean: float, half: float) -> pd.DataFrame:
        return pd.DataFrame({"yhat": mean, "yhat_lo_80": mean - half, "yhat_hi_80": mean + half}, index=idx)

    out = rc.reconcile_frames({("*", "*"): frame(10, 1), ("*", "a"): frame(4, 2), ("*", "b"): frame(4, 2)}, h)
    total, a = out[("*", "*")], out[("*", "a")]
    np.testing.assert_allclose(total["yhat"], a["yhat"] + out[("*", "b")]["yhat"])
    np.testing.assert_allclose(a["yhat_hi_80"] - a["yhat"], 2.0)
    with pytest.raises(ValueError, match="no base forecast"):
        rc.reconcile_frames({("*", "*"): frame(10, 1)}, h)


def test_unknown_method_and_missing_residuals_say_what_would_work() -> None:
    h = rc.grouped([("*", "a"), ("*", "b")])
    with pytest.raises(ValueError, match="use one of"):
        rc.reconcile(np.ones((3, 1)), h, "magic")
    with pytest.raises(ValueError, match="residuals"):
        rc.reconcile(np.ones((3, 1)), h, "mint_shrink")


def test_mint_shrink_matches_nixtla_hierarchicalforecast() -> None:
    """Pinned from hierarchicalforecast 1.5.3 MinTrace("mint_shrink").fit_predict on the same input
    (checked in a separate virtualenv; it is not a dependency)."""
    h = rc.grouped([("*", "a"), ("*", "b"), ("*", "c")])
    t = np.arange(12)
    res = np.vstack([np.sin(t) + 0.3 * np.cos(3 * t) + 0.2, np.sin(t) * 0.6 + 0.1 * t / 12,
                     0.5 * np.cos(t) - 0.1, 0.2 * np.sin(2 * t) + 0.05])
    base = np.array([[30.0, 33.0], [10.0, 12.0], [9.0, 8.5], [8.0, 9.0]])
    nixtla = np.array([[27.8865602828, 30.5343203299], [10.0351905806, 12.0410556773],
                       [9.7033667593, 9.3205945526], [8.1480029429, 9.1726701]])
    np.testing.assert_allclose(rc.reconcile(base, h, "mint_shrink", residuals=res, nonnegative=False), nixtla,
                               atol=1e-6)


def _bottom(days: int = 70) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    idx = pd.date_range("2026-01-05", periods=days, freq="D")
    weekly = 1 + 0.2 * (idx.dayofweek.to_numpy() >= 5)
    return pd.DataFrame({(a, c): rng.poisson(lam * weekly).astype(float)
                         for (a, c), lam in {("N", "999"): 40, ("N", "101"): 60, ("S", "999"): 25,
                                             ("S", "101"): 35}.items()}, index=idx)


def test_daily_hierarchy_forecasts_add_up_at_every_level() -> None:
    from bluelamp.demand import hierarchy

    out = hierarchy.forecast_hierarchy(_bottom(), 14)
    assert len(out) == 9 and all(len(f) == 14 for f in out.values())
    force = out[("*", "*")]["yhat"].to_numpy()
    np.testing.assert_allclose(force, out[("*", "999")]["yhat"] + out[("*", "101")]["yhat"], rtol=1e-9)
    np.testing.assert_allclose(out[("N", "*")]["yhat"], out[("N", "999")]["yhat"] + out[("N", "101")]["yhat"])
    assert (out[("S", "101")]["yhat_lo_95"] >= 0).all()


def test_the_hierarchy_backtest_reports_base_and_reconciled_by_level() -> None:
    from bluelamp.demand import hierarchy

    bottom = _bottom(84)
    seen: list[int] = []
    res = hierarchy.backtest_hierarchy(bottom, [bottom.index[-14]], (7, 14), ("base", "bu", "mint_shrink"),
                                       progress=seen.append)
    assert seen == [1] and res.folds == 1
    assert set(res.wape) == {"base", "bu", "mint_shrink"}
    assert set(res.wape["base"]) == {"force", "channel", "area", "area x channel"}
    assert all(0 < res.wape[m]["force"][7] < 0.5 for m in res.wape)
    assert 0 <= res.coverage["mint_shrink"][80] <= 1


@pytest.mark.parametrize("method", ["bu", "ols", "wls_struct", "wls_var", "mint_shrink"])
def test_hierarchicalforecast_and_the_closed_form_agree(method: str) -> None:
    """The means come from hierarchicalforecast; the closed form kept for per-step wls_var gives the same."""
    h = rc.grouped([("N", "999"), ("N", "101"), ("S", "999"), ("S", "101")])
    rng = np.random.default_rng(8)
    res = rng.normal(0, 1, (h.S.shape[0], 60)) * np.linspace(1, 3, h.S.shape[0])[:, None]
    base = rng.uniform(5, 50, (h.S.shape[0], 3))
    closed = h.S @ (rc.projection(h, rc.weights(h, method, residuals=res)) @ base)
    got = rc.reconcile(base, h, method, residuals=res, nonnegative=False)
    np.testing.assert_allclose(got, closed, rtol=1e-6, atol=1e-6)
    step = rc.reconcile(base, h, "wls_var", variances=np.repeat(np.nanmean(res**2, axis=1)[:, None], 3, axis=1),
                        nonnegative=False)
    if method == "wls_var":
        np.testing.assert_allclose(step, got, rtol=1e-6, atol=1e-6)


def test_probabilistic_bottom_up_adds_the_bottom_variances() -> None:
    h = rc.grouped([("*", "a"), ("*", "b"), ("*", "c")])
    idx = pd.date_range("2026-01-05", periods=2, freq="D")
    sds = {("*", "a"): 3.0, ("*", "b"): 4.0, ("*", "c"): 12.0, ("*", "*"): 1.0}
    frames = {k: pd.DataFrame({"yhat": [50.0, 60.0], "yhat_lo_95": [50 - 1.959964 * sd] * 2,
                               "yhat_hi_95": [50 + 1.959964 * sd, 60 + 1.959964 * sd]}, index=idx)
              for k, sd in sds.items()}
    out = rc.reconcile_frames(frames, h, "bu", intervals="normality")
    total = out[("*", "*")]
    assert total["yhat"].tolist() == [150.0, 180.0]
    np.testing.assert_allclose((total["yhat_hi_95"] - total["yhat"]) / 1.959964, 13.0, rtol=1e-5)  # sqrt(9+16+144)
    with pytest.raises(ValueError, match="wls_var"):
        rc.reconcile_frames(frames, h, "wls_var", intervals="normality")
