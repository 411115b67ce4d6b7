"""Metrics agree with a hand calculation on a small fixed example, and with scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from models_py.prediction.metrics import (
    best_f1_threshold,
    classification_metrics,
    regression_metrics,
    roc_auc,
    top_decile_lift,
)

Y = [1, 0, 1, 1, 0, 0, 1, 0, 0, 0]
P = [0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2, 0.1, 0.05]


def test_classification_metrics_by_hand():
    m = classification_metrics(Y, P, threshold=0.5)
    # Predicted positive: the first five rows -> TP 3, FP 2, FN 1, TN 4.
    assert m["accuracy"] == pytest.approx(7 / 10)
    assert m["precision"] == pytest.approx(3 / 5)
    assert m["recall"] == pytest.approx(3 / 4)
    assert m["f1"] == pytest.approx(2 / 3)
    # Positive/negative pairs ranked correctly: 6 + 5 + 5 + 3 of 4 x 6.
    assert m["roc_auc"] == pytest.approx(19 / 24)
    by_hand = (
        -(
            math.log(0.9)
            + math.log(0.2)
            + math.log(0.7)
            + math.log(0.6)
            + math.log(0.45)
            + math.log(0.6)
            + math.log(0.3)
            + math.log(0.8)
            + math.log(0.9)
            + math.log(0.95)
        )
        / 10
    )
    assert m["log_loss"] == pytest.approx(by_hand)
    # Top decile = the single highest score (a buyer); base rate 0.4.
    assert m["top_decile_lift"] == pytest.approx(1 / 0.4)
    assert m["threshold"] == 0.5


def test_regression_metrics_by_hand():
    y = [0, 100, 50, 0, 200]
    f = [10, 80, 50, 20, 150]
    m = regression_metrics(y, f)
    assert m["rmse"] == pytest.approx(math.sqrt((100 + 400 + 0 + 400 + 2500) / 5))
    assert m["mae"] == pytest.approx((10 + 20 + 0 + 20 + 50) / 5)
    assert m["r2"] == pytest.approx(1 - 3400 / 28000)
    assert m["total_predicted"] == 310
    assert m["total_actual"] == 350
    assert m["top_decile_lift"] == pytest.approx(200 / 70)


def test_metrics_agree_with_scikit_learn_on_random_data_with_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    p = np.round(np.clip(0.3 * y + rng.uniform(0, 0.7, 500), 0, 1), 1)  # many ties
    m = classification_metrics(y, p, threshold=0.5)
    pred = p >= 0.5
    assert m["roc_auc"] == pytest.approx(skm.roc_auc_score(y, p))
    assert m["log_loss"] == pytest.approx(skm.log_loss(y, p))
    assert m["f1"] == pytest.approx(skm.f1_score(y, pred))
    assert m["precision"] == pytest.approx(skm.precision_score(y, pred))
    assert m["recall"] == pytest.approx(skm.recall_score(y, pred))
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    yr = rng.gamma(1, 100, 300)
    fr = yr + rng.normal(0, 30, 300)
    r = regression_metrics(yr, fr)
    assert r["rmse"] == pytest.approx(math.sqrt(skm.mean_squared_error(yr, fr)))
    assert r["mae"] == pytest.approx(skm.mean_absolute_error(yr, fr))
    assert r["r2"] == pytest.approx(skm.r2_score(yr, fr))


def test_best_f1_threshold_matches_a_brute_force_search():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    p = np.round(rng.uniform(0, 1, 200) * 0.5 + 0.5 * y * rng.uniform(0, 1, 200), 2)
    best = best_f1_threshold(y, p)
    f1s = {t: skm.f1_score(y, p >= t) for t in np.unique(p)}
    assert f1s[best] == pytest.approx(max(f1s.values()))


def test_degenerate_inputs():
    assert math.isnan(roc_auc([1, 1, 1], [0.2, 0.5, 0.9]))
    assert math.isnan(top_decile_lift([0, 0], [0.1, 0.2]))
    assert best_f1_threshold([0, 0], [0.1, 0.2]) == 0.5
    assert math.isnan(regression_metrics([5, 5], [4, 6])["r2"])
    with pytest.raises(ValueError, match="3 rows"):
        regression_metrics([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="row 1"):
        classification_metrics([0, 1], [0.2, float("nan")])
