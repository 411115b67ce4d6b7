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
