"""Platt calibration, reliability tables and the totals scale, measured leave-one-fold-out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models_py.prediction.calibration import (
    CalibratedClassifier,
    FoldPredictions,
    PlattScaler,
    ScaledRegressor,
    brier_score,
    leave_one_fold_out,
    reliability_table,
    spend_ratio,
    totals_scale,
)
from models_py.prediction.metrics import roc_auc
from models_py.prediction.selection import calibrate_published


def overconfident_folds(n_folds: int = 3, rows: int = 4000, seed: int = 0):
    """True probability q; the model says q pushed towards 0 and 1 (overconfident)."""
    rng = np.random.default_rng(seed)
    folds = []
    for fold in range(1, n_folds + 1):
        q = rng.uniform(0.05, 0.95, rows)
        y = (rng.uniform(size=rows) < q).astype(float)
        logit = np.log(q / (1 - q)) * 3
        folds.append(FoldPredictions(fold, y, 1 / (1 + np.exp(-logit))))
    return folds


def test_platt_scaling_fixes_overconfidence_and_keeps_the_ranking():
    folds = overconfident_folds()
    held_out = leave_one_fold_out(folds)
    for fold, calibrated in zip(folds, held_out, strict=True):
        assert brier_score(fold.y, calibrated) < brier_score(fold.y, fold.pred) - 0.01
        assert roc_auc(fold.y, calibrated) == pytest.approx(roc_auc(fold.y, fold.pred))


def test_reliability_table_bins_predictions_and_observed_rates():
    y = np.array([0, 1, 1, 0, 1])
    p = np.array([0.05, 0.15, 0.95, 1.0, 0.12])
    table = reliability_table(y, p, bins=10).set_index("bin")
    assert table["customers"].sum() == 5
    assert table.at[2, "customers"] == 2 and table.at[2, "observed_rate"] == 1.0
    assert table.at[2, "mean_predicted"] == pytest.approx(0.135)
    assert table.at[10, "customers"] == 2  # 1.0 falls in the last bin
    assert np.isnan(table.at[5, "mean_predicted"])


def test_totals_scale_is_actual_over_predicted_and_left_out_per_fold():
    folds = [
        FoldPredictions(1, np.array([10.0, 10.0]), np.array([5.0, 5.0])),
        FoldPredictions(2, np.array([30.0]), np.array([10.0])),
    ]
    overall, held_out = totals_scale(folds)
    assert overall == pytest.approx(50 / 20)
    assert held_out == [pytest.approx(3.0), pytest.approx(2.0)]


def test_calibration_is_applied_only_where_it_helps():
    purchase = overconfident_folds()
    # Spend predictions already right on total: a scale cannot help and is not applied.
    rng = np.random.default_rng(1)
    spend = [
        FoldPredictions(f.fold, rng.gamma(2, 50, 4000), np.full(4000, 100.0)) for f in purchase
    ]
    oof = {("purchase", "m", f.fold): f.pred for f in purchase}
    oof |= {("spend", "s", f.fold): f.pred for f in spend}
    outcomes = {
        f.fold: pd.DataFrame(
            {"bought": p.y, "spent": s.y, "as_of_date": pd.Timestamp("2024-01-01")}
        )
        for f, p, s in zip(purchase, purchase, spend, strict=True)
    }
    result = calibrate_published(
        {"purchase": "m", "spend": "s"}, oof, outcomes, {"purchase": "bought", "spend": "spent"}
    )
    facts = {(r["metric"], r["fold"]): r["value"] for r in result.metric_rows}
    assert facts[("calibration_applied", None)] == 1.0
    assert facts[("totals_scale_applied", None)] == 0.0 and facts[("totals_scale", None)] == 1.0
    assert {r["metric"] for r in result.metric_rows if r["fold"] == 2} == {
        "brier_calibrated",
        "rmse_scaled",
        "total_ratio_scaled",
    }
    assert set(result.reliability["probability"]) == {"raw", "calibrated"}
    assert result.scaler is not None and result.scale is None
    # The final estimator is wrapped: probabilities pass through the scaler.
    model, threshold = result.wrap("purchase", _Fixed(np.array([0.99, 0.01])), 0.5)
    assert isinstance(model, CalibratedClassifier)
    p = model.predict_proba(None)[:, 1]
    assert 0.5 < p[0] < 0.99 and 0.01 < p[1] < 0.5
    assert threshold == result.threshold


def test_a_scaled_regressor_multiplies_the_predictions():
    model = ScaledRegressor(_Fixed(np.array([1.0, 2.0])), 1.5)
    np.testing.assert_allclose(model.predict(None), [1.5, 3.0])


def test_platt_refuses_one_outcome():
    with pytest.raises(ValueError, match="both outcomes"):
        PlattScaler().fit(np.array([0.2, 0.4]), np.array([1, 1]))


class _Fixed:
    """A fitted model that returns fixed predictions."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def predict(self, X) -> np.ndarray:
        return self.values

    def predict_proba(self, X) -> np.ndarray:
        return np.column_stack([1 - self.values, self.values])


def _seasonal_spend(biases: dict[int, float], rows: int = 3000, seed: int = 2):
    """Spend folds whose predictions are ``bias`` x the truth on average (fold -> bias)."""
    rng = np.random.default_rng(seed)
    folds = []
    for fold, bias in biases.items():
        truth = rng.gamma(2, 50, rows)
        folds.append(FoldPredictions(fold, rng.poisson(truth).astype(float), truth * bias))
    return folds


def _calibrate_spend(spend, season_ratios):
    oof = {("spend", "s", f.fold): f.pred for f in spend}
    oof |= {("purchase", "m", f.fold): np.full(len(f.y), 0.5) for f in spend}
    outcomes = {
        f.fold: pd.DataFrame(
            {"bought": f.y > 100, "spent": f.y, "as_of_date": pd.Timestamp("2024-01-01")}
        )
        for f in spend
    }
    result = calibrate_published(
        {"purchase": "m", "spend": "s"},
        oof,
        outcomes,
        {"purchase": "bought", "spend": "spent"},
        season_ratios,
    )
    return result, {(r["metric"], r["fold"]): r["value"] for r in result.metric_rows}


def test_season_scale_follows_a_bias_that_changes_sign_with_the_season():
    # Troughs over-predicted twice, the peak under-predicted by half; each fold's reference a
    # year earlier shows the same bias, so scaling by it fixes the totals and no single factor
    # could.
    spend = _seasonal_spend({1: 2.0, 2: 0.5, 3: 2.0})
    result, facts = _calibrate_spend(spend, {0: 0.55, 1: 0.5, 2: 2.0, 3: 0.5})
    assert facts[("season_scale_applied", None)] == 1.0 and facts[("season_folds", None)] == 3
    assert result.scale == pytest.approx(0.55) and facts[("season_scale", None)] == 0.55
    assert facts[("season_factor", 2)] == 2.0
    for fold in (1, 2, 3):
        assert facts[("total_ratio_season", fold)] == pytest.approx(1.0, abs=0.05)
        assert facts[("rmse_season", fold)] < np.sqrt(
            np.mean((spend[fold - 1].pred - spend[fold - 1].y) ** 2)
        )
    # The season scale takes the place of the one totals factor.
    assert facts[("totals_scale_applied", None)] == 0.0
    model, _ = result.wrap("spend", _Fixed(np.array([10.0])), None)
    np.testing.assert_allclose(model.predict(None), [5.5])


def test_a_season_that_misleads_the_backtests_is_not_applied():
    spend = _seasonal_spend({1: 2.0, 2: 0.5, 3: 2.0})
    result, facts = _calibrate_spend(spend, {0: 2.0, 1: 2.0, 2: 0.5, 3: 2.0})
    assert facts[("season_scale_applied", None)] == 0.0 and facts[("season_scale", None)] == 1.0
    assert result.scale is None or facts[("totals_scale_applied", None)] == 1.0


def test_a_season_that_overcorrects_one_fold_is_not_applied():
    # Closer totals on average, but fold 1's reference (a shorter history a year back)
    # overcorrects it and raises its RMSE.
    spend = _seasonal_spend({1: 1.1, 2: 0.5})
    _, facts = _calibrate_spend(spend, {0: 0.45, 1: 0.55, 2: 1.8})
    assert facts[("total_ratio_season", 2)] == pytest.approx(0.9, abs=0.05)
    assert facts[("rmse_season", 1)] > np.sqrt(np.mean((spend[0].pred - spend[0].y) ** 2))
    assert facts[("season_scale_applied", None)] == 0.0


def test_without_a_season_reference_for_the_score_window_nothing_is_scaled_by_season():
    # A year of history: the folds may have references but the window predicted has none.
    spend = _seasonal_spend({1: 2.0, 2: 0.5})
    _, facts = _calibrate_spend(spend, {1: 0.5, 2: 2.0})
    assert facts[("season_scale_applied", None)] == 0.0 and facts[("season_folds", None)] == 2
    _, off = _calibrate_spend(spend, None)
    assert not any(metric.startswith("season") for metric, _ in off)


def test_spend_ratio_is_actual_over_predicted_and_nan_without_predictions():
    assert spend_ratio([10.0, 20.0], [5.0, 10.0]) == pytest.approx(2.0)
    assert np.isnan(spend_ratio([10.0], [0.0]))
